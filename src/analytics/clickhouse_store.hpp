// ClickHouseStore: workload events in ClickHouse over its HTTP interface — a MergeTree table
// ordered by user and time and partitioned by month, batches inserted as JSONEachRow, aggregates
// read as JSON. Works with Debian's 18.16 and with current releases.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analytics/analytics_store.hpp"
#include "analytics/clickhouse_literal.hpp"
#include "core/circuit_breaker.hpp"

namespace netra::core {
class OffloadPool;
}
namespace netra::net {
class HttpClient;
}

namespace netra::analytics {

namespace detail {
class ClickHouseHttp;
}

struct ClickHouseOptions {
  std::string url;  // http://host[:port] of the HTTP interface (analytics.url)
  std::string user = "default";
  std::string password;  // sent in a header; never logged
  std::string database = "netra";
  int ttl_days = 90;  // events older than this are dropped, a month at a time
  core::BreakerOptions breaker;
  // Hears each statement as it is sent (benchmarks replay exactly what the store sends).
  std::function<void(const std::string& statement)> on_statement{};
};

inline constexpr const char* kClickHouseTable = "workload_events";  // in options.database

// Every value in a statement is a ClickHouseLiteral; the database name is checked as an
// identifier. Thread-safe; the HttpClient is shared and must outlive its requests.
class ClickHouseStore final : public AnalyticsStore {
 public:
  // Throws std::invalid_argument naming the key (analytics.url, analytics.database,
  // analytics.ttl_days) when the options cannot work. With `offload` (it must outlive the store),
  // large batches are validated and encoded there rather than on the calling event loop.
  ClickHouseStore(ClickHouseOptions options, std::shared_ptr<net::HttpClient> client,
                  core::OffloadPool* offload = nullptr);
  ~ClickHouseStore() override;

  // Creates the database and the table when they are missing; changes nothing that exists.
  // `through_breaker` false: for start attempts, which the engine's retry policy paces, and
  // whose failures would otherwise keep the breaker open once ClickHouse is back.
  asio::awaitable<AnalyticsResult<size_t>> ensure_schema(core::Deadline deadline,
                                                         bool through_breaker = true);
  // SELECT 1 through the breaker: how the component notices an outage, and its end, without
  // traffic.
  asio::awaitable<AnalyticsResult<size_t>> ping(core::Deadline deadline);
  // Retention (18.16 has no table TTL): drops every monthly partition that ended before
  // now − ttl_days, so events are kept at least ttl_days and at most a month longer. Returns the
  // partitions dropped ("202401").
  asio::awaitable<AnalyticsResult<std::vector<std::string>>> drop_expired_partitions(
      int64_t now_ms, core::Deadline deadline);

  std::string_view backend() const override { return "clickhouse"; }
  asio::awaitable<AnalyticsResult<size_t>> insert(std::string user_id,
                                                  std::vector<WorkloadEvent> events,
                                                  core::Deadline deadline) override;
  // Writes events that were stored before (in the embedded store, during an outage) as they are:
  // of any users, each keeping its user_id and event_id (check_stored_batch). Whole or not at all,
  // like insert.
  asio::awaitable<AnalyticsResult<size_t>> insert_stored(std::vector<WorkloadEvent> events,
                                                         core::Deadline deadline);
  asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> summary(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>> repeated_prompts(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> timeline(
      std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> events(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;

  const core::CircuitBreaker& breaker() const;
  // Where it connects, without credentials: "clickhouse at 127.0.0.1:8123, database netra".
  std::string describe() const;

 private:
  ClickHouseLiteral database() const;
  // Without a user_id: insert_stored.
  asio::awaitable<AnalyticsResult<size_t>> insert_batch(std::optional<std::string> user_id,
                                                        std::vector<WorkloadEvent> events,
                                                        core::Deadline deadline);

  ClickHouseOptions options_;
  core::OffloadPool* offload_;
  std::unique_ptr<detail::ClickHouseHttp> http_;
};

// The UTC calendar date of a Unix ms time, "YYYY-MM-DD": the partition column of every row.
std::string utc_date(int64_t unix_ms);
// The YYYYMM month (toYYYYMM) of a Unix ms time, in UTC.
int64_t utc_year_month(int64_t unix_ms);

}  // namespace netra::analytics
