// DataStep: the analytics queries of a run — summaries by model and by workload, repeated
// prompts, a timeline and a sample of events for the window — each reported as a tool call,
// and how complete the data is.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/data_completeness.hpp"
#include "agents/run_emitter.hpp"
#include "analytics/analytics_store.hpp"

namespace netra::agents {

namespace asio = boost::asio;

// Repeated prompt groups read per run: the largest ones carry the caching advice.
inline constexpr int64_t kRepeatedPromptLimit = 1'000;
// Events read per run to learn each workload's model mix and which fields are filled: the
// oldest of the window, as many as one read returns.
inline constexpr int64_t kSampleLimit = analytics::kMaxReadLimit;

// One model's share of one workload: the sampled calls of the pair, scaled so that the pairs of
// a workload add up to the workload's totals (exact when the sample holds every call).
struct WorkloadModelUsage {
  std::string workload_id;
  std::string model;
  double requests = 0;
  double input_tokens = 0;
  double output_tokens = 0;
  double cost_usd = 0;
};

struct DataRequest {
  std::string user_id;
  analytics::TimeRange range;
  std::vector<std::string> models;     // named by the request: what to look at first
  std::vector<std::string> workloads;  // likewise
};

inline constexpr std::string_view kMixedBackends = "clickhouse+embedded";

struct DataSnapshot {
  // Where the data came from: the backend that answered every query ("embedded",
  // "clickhouse"), or kMixedBackends when the embedded store answered some of them (ClickHouse
  // failed or was too slow mid-step).
  std::string backend;
  analytics::TimeRange range;
  std::vector<analytics::GroupSummary> by_model;
  std::vector<analytics::GroupSummary> by_workload;
  std::vector<analytics::RepeatedPrompt> repeated_prompts;
  std::vector<analytics::TimeBucket> timeline;
  int64_t bucket_ms = 0;
  std::vector<WorkloadModelUsage> workload_models;  // by workload, then model
  bool sample_complete = false;                     // the sample held every event of the window
  Completeness completeness;
  std::vector<std::string> notes;  // e.g. a workload the request named has no events
  // Set when a query was answered from ClickHouse's outage buffer: the figures are partial.
  std::optional<analytics::PartialData> partial;
};

// Buckets of an hour, or wider when an hour would make 10,000 buckets or more.
int64_t timeline_bucket_ms(analytics::TimeRange range);

// Runs the queries in order, each between a tool_executing and a tool_completed event (agent
// "data"), every one bounded by `deadline`. The first query that fails ends the step with its
// error (after a tool_completed that carries it).
asio::awaitable<analytics::AnalyticsResult<DataSnapshot>> collect_data(
    analytics::AnalyticsStore& store, RunEmitter& emitter, DataRequest request,
    core::Deadline deadline);

// Each workload's model mix from the sample, scaled to the workload totals.
std::vector<WorkloadModelUsage> workload_model_usage(
    const std::vector<analytics::GroupSummary>& by_workload,
    const std::vector<analytics::WorkloadEvent>& sample);

// Totals and sizes, not rows: what the run's final event carries about the data.
nlohmann::json to_json(const DataSnapshot& snapshot);

}  // namespace netra::agents
