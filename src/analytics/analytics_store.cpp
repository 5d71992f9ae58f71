#include "analytics/analytics_store.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netra::analytics {

std::string_view to_string(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::model:
      return "model";
    case GroupBy::workload:
      return "workload";
    case GroupBy::provider:
      return "provider";
  }
  return "model";
}

std::optional<GroupBy> parse_group_by(std::string_view text) {
  if (text == "model") return GroupBy::model;
  if (text == "workload") return GroupBy::workload;
  if (text == "provider") return GroupBy::provider;
  return std::nullopt;
}

const char* key_column(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::model:
      return "model";
    case GroupBy::workload:
      return "workload_id";
    case GroupBy::provider:
      return "provider";
  }
  return "model";
}

std::optional<AnalyticsError> check_read(std::string_view user_id, TimeRange range) {
  if (auto bad = check_user_id(user_id)) return AnalyticsError::invalid(*bad);
  if (range.from_ms >= range.to_ms) {
    return AnalyticsError::invalid("from must be before to");
  }
  if (range.from_ms < 0 || range.to_ms > kMaxTimestampMs + 1) {
    return AnalyticsError::invalid(
        fmt::format("from and to must be Unix milliseconds from 0 to {}", kMaxTimestampMs + 1));
  }
  return std::nullopt;
}

std::optional<AnalyticsError> check_limit(int64_t limit) {
  if (limit < 1 || limit > kMaxReadLimit) {
    return AnalyticsError::invalid(fmt::format("limit must be 1 to {}", kMaxReadLimit));
  }
  return std::nullopt;
}

std::optional<AnalyticsError> check_bucket(TimeRange range, int64_t bucket_ms) {
  if (bucket_ms < kMinBucketMs) {
    return AnalyticsError::invalid(fmt::format("bucket must be at least {} ms", kMinBucketMs));
  }
  if ((range.to_ms - range.from_ms) / bucket_ms >= kMaxBuckets) {
    return AnalyticsError::invalid(
        fmt::format("the range holds more than {} buckets; choose larger ones", kMaxBuckets));
  }
  return std::nullopt;
}

void finish_summary(std::vector<GroupSummary>& groups) {
  for (auto& g : groups) {
    if (g.requests <= 0) continue;
    g.error_rate = static_cast<double>(g.errors) / static_cast<double>(g.requests);
    g.cache_rate = static_cast<double>(g.cached) / static_cast<double>(g.requests);
  }
  std::sort(groups.begin(), groups.end(),
            [](const GroupSummary& a, const GroupSummary& b) { return a.key < b.key; });
}

int64_t percentile_rank(int64_t n, int64_t p) {
  // Integer arithmetic: floor(n·p/100) exactly. ClickHouse computes floor(level·n) in doubles,
  // which lands on the same index for the levels 0.5, 0.95 and 0.99 (their error is far below
  // half a unit in the last place of any product with n).
  return std::min(n - 1, n * p / 100);
}

// One backend: every read is served by it.
namespace {

template <typename T>
asio::awaitable<Served<T>> served_by(asio::awaitable<AnalyticsResult<T>> read,
                                     std::string_view backend) {
  auto result = co_await std::move(read);
  co_return Served<T>{std::move(result), backend, std::nullopt};
}

}  // namespace

asio::awaitable<Served<std::vector<GroupSummary>>> AnalyticsStore::summary_served(
    std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) {
  return served_by(summary(std::move(user_id), range, group_by, deadline), backend());
}

asio::awaitable<Served<std::vector<RepeatedPrompt>>> AnalyticsStore::repeated_prompts_served(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  return served_by(repeated_prompts(std::move(user_id), range, limit, deadline), backend());
}

asio::awaitable<Served<std::vector<TimeBucket>>> AnalyticsStore::timeline_served(
    std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) {
  return served_by(timeline(std::move(user_id), range, bucket_ms, deadline), backend());
}

asio::awaitable<Served<std::vector<WorkloadEvent>>> AnalyticsStore::events_served(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  return served_by(events(std::move(user_id), range, limit, deadline), backend());
}

}  // namespace netra::analytics
