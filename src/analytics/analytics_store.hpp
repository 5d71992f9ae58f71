// AnalyticsStore: a user's workload events — written in batches, read back as the aggregates the
// summary route and the agent's data step need. Two backends: ClickHouse, and an embedded table
// in the service's own database that serves when ClickHouse is not configured or is down.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_error.hpp"
#include "analytics/workload_event.hpp"
#include "core/deadline.hpp"

namespace netra::analytics {

namespace asio = boost::asio;

enum class GroupBy { model, workload, provider };
std::string_view to_string(GroupBy group_by);  // "model", "workload", "provider"
std::optional<GroupBy> parse_group_by(std::string_view text);
// The column a summary groups by, the same name in both backends' tables ("workload_id" for
// workload): from this closed set, never from a request.
const char* key_column(GroupBy group_by);

// [from_ms, to_ms) in Unix ms.
struct TimeRange {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// One group of a summary. Percentiles are exact: with the group's latencies sorted ascending
// (0-based), p-th percentile = sorted[floor(n·p/100)] — what ClickHouse's quantileExact returns.
struct GroupSummary {
  std::string key;  // the model, workload id or provider
  int64_t requests = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  int64_t latency_p50_ms = 0;
  int64_t latency_p95_ms = 0;
  int64_t latency_p99_ms = 0;
  int64_t errors = 0;
  int64_t cached = 0;
  double error_rate = 0;  // errors / requests
  double cache_rate = 0;  // cached / requests
};

// Calls of one workload that sent the same prompt hash more than once: what caching would save.
struct RepeatedPrompt {
  std::string workload_id;
  std::string prompt_hash;
  int64_t requests = 0;  // at least 2
  int64_t cached = 0;
  double cost_usd = 0;
};

// One bucket of a timeline; buckets without events are left out.
struct TimeBucket {
  int64_t start_ms = 0;  // from_ms + k·bucket_ms
  int64_t requests = 0;
  int64_t errors = 0;
  double cost_usd = 0;
};

inline constexpr int64_t kMinBucketMs = 60'000;
inline constexpr int64_t kMaxBuckets = 10'000;
inline constexpr int64_t kMaxReadLimit = 10'000;

// What a read answered from the embedded store while ClickHouse is configured leaves out: that
// store then holds only the events that arrived during the outage (its buffer), not the user's
// history, which is in ClickHouse.
struct PartialData {
  int64_t since_ms = 0;  // when ClickHouse stopped answering, as this process saw it
  std::string missing;   // in words, for the answer and the agent's report
};

// A result, the backend that produced it ("clickhouse" or "embedded"), and what it leaves out
// when it is partial.
template <typename T>
struct Served {
  AnalyticsResult<T> result;
  std::string_view backend;
  std::optional<PartialData> partial;
};

// Every call sees only `user_id`'s events, checks its arguments before touching the store
// (`invalid` otherwise), and finishes or fails by `deadline`. Backends are safe to call from any
// number of coroutines at once.
class AnalyticsStore {
 public:
  virtual ~AnalyticsStore() = default;

  // "clickhouse" or "embedded": where the data came from, for reports.
  virtual std::string_view backend() const = 0;

  // Stores the batch (see prepare_batch) as a whole or not at all; returns how many were stored.
  virtual asio::awaitable<AnalyticsResult<size_t>> insert(std::string user_id,
                                                          std::vector<WorkloadEvent> events,
                                                          core::Deadline deadline) = 0;

  // Per group of the range, ordered by key (bytewise).
  virtual asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> summary(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) = 0;

  // Repeated prompts of the range (prompt_hash not empty, seen at least twice in one workload),
  // most requests first, at most `limit` (1–10,000).
  virtual asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>> repeated_prompts(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) = 0;

  // Requests, errors and cost per bucket of `bucket_ms` (at least a minute, at most 10,000
  // buckets in the range), in time order.
  virtual asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> timeline(
      std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) = 0;

  // The events themselves, oldest first (ties by event id), at most `limit` (1–10,000): evidence
  // for a report, and what tests read back.
  virtual asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> events(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) = 0;

  // The reads, each with the backend that answered it — for a report that says where its data
  // came from. A store with one backend names backend(); FallbackAnalyticsStore names the one that
  // answered this call (the embedded store when ClickHouse failed or took too long).
  virtual asio::awaitable<Served<std::vector<GroupSummary>>> summary_served(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline);
  virtual asio::awaitable<Served<std::vector<RepeatedPrompt>>> repeated_prompts_served(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline);
  virtual asio::awaitable<Served<std::vector<TimeBucket>>> timeline_served(std::string user_id,
                                                                           TimeRange range,
                                                                           int64_t bucket_ms,
                                                                           core::Deadline deadline);
  virtual asio::awaitable<Served<std::vector<WorkloadEvent>>> events_served(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline);
};

// The argument checks every backend applies before a read; nothing when they pass.
std::optional<AnalyticsError> check_read(std::string_view user_id, TimeRange range);
std::optional<AnalyticsError> check_limit(int64_t limit);
std::optional<AnalyticsError> check_bucket(TimeRange range, int64_t bucket_ms);

// What backends do once the counts are in: rates from counts, groups sorted by key.
void finish_summary(std::vector<GroupSummary>& groups);
// Index into the ascending latencies of a group of `n` for percentile `p` (50, 95, 99).
int64_t percentile_rank(int64_t n, int64_t p);

}  // namespace netra::analytics
