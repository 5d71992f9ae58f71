// EmbeddedAnalyticsStore: workload events in the service's own database (the workload_events
// table of migration 0003, SQLite by default) — the store on a fresh machine, and the fallback
// while ClickHouse is down.
#pragma once

#include "analytics/analytics_store.hpp"
#include "db/database.hpp"

namespace netra::analytics {

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

 private:
  db::Database& db_;
};

}  // namespace netra::analytics
