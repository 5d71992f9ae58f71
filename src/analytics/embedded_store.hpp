// EmbeddedAnalyticsStore: workload events in the service's own database (the workload_events
// table of migrations 0003 and 0004, SQLite by default) — the store on a fresh machine, and the
// buffer that serves while ClickHouse is down.
#pragma once

#include "analytics/analytics_store.hpp"
#include "db/database.hpp"

namespace netra::analytics {

// Stored events of any users, oldest first, each beside the id of its row (entry_id).
struct StoredEvents {
  std::vector<std::string> entry_ids;
  std::vector<WorkloadEvent> events;  // events[i] is the row entry_ids[i]
};

// Every statement binds its values; percentiles are computed exactly in SQL (window functions,
// SQLite ≥ 3.25 and PostgreSQL). The Database must outlive the store.
class EmbeddedAnalyticsStore final : public AnalyticsStore {
 public:
  explicit EmbeddedAnalyticsStore(db::Database& db) : db_(db) {}

  std::string_view backend() const override { return "embedded"; }
  asio::awaitable<AnalyticsResult<size_t>> insert(std::string user_id,
                                                  std::vector<WorkloadEvent> events,
                                                  core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> summary(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>> repeated_prompts(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> timeline(
      std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> events(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;

  // The outage buffer, for OutageReplay (with ClickHouse configured this table only holds what
  // was written while ClickHouse was not serving). `oldest`: at most `limit` (1–10,000) rows of
  // all users, by timestamp then entry_id. `remove`: deletes exactly those rows, in one
  // transaction (all or none); returns how many there were (ids already gone are not an error).
  asio::awaitable<AnalyticsResult<StoredEvents>> oldest(size_t limit, core::Deadline deadline);
  asio::awaitable<AnalyticsResult<size_t>> remove(std::vector<std::string> entry_ids,
                                                  core::Deadline deadline);
  // How many rows the table holds, of all users (the buffer's size, for its gauge).
  asio::awaitable<AnalyticsResult<size_t>> count_all(core::Deadline deadline);

 private:
  db::Database& db_;
};

}  // namespace netra::analytics
