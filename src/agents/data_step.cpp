#include "agents/data_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "agents/markdown_format.hpp"
#include "agents/time_window.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::find_model;
namespace {

using analytics::AnalyticsError;
using analytics::AnalyticsResult;
using analytics::GroupSummary;
using nlohmann::json;

constexpr const char* kAgent = "data";

json error_json(const AnalyticsError& error) {
  return {{"code", to_string(error.code)}, {"message", error.message}};
}

json describe_groups(const std::vector<GroupSummary>& groups) {
  int64_t requests = 0;
  double cost = 0;
  json keys = json::array();
  for (const auto& g : groups) {
    requests += g.requests;
    cost += g.cost_usd;
    if (keys.size() < 20) keys.push_back(g.key);
  }
  return {{"groups", groups.size()}, {"requests", requests}, {"cost_usd", cost}, {"keys", keys}};
}

json describe_repeats(const std::vector<analytics::RepeatedPrompt>& repeats) {
  int64_t requests = 0;
  double cost = 0;
  for (const auto& r : repeats) {
    requests += r.requests;
    cost += r.cost_usd;
  }
  return {{"groups", repeats.size()}, {"requests", requests}, {"cost_usd", cost}};
}

json describe_timeline(const std::vector<analytics::TimeBucket>& buckets) {
  int64_t requests = 0;
  int64_t errors = 0;
  for (const auto& b : buckets) {
    requests += b.requests;
    errors += b.errors;
  }
  return {{"buckets", buckets.size()}, {"requests", requests}, {"errors", errors}};
}

json describe_events(const std::vector<analytics::WorkloadEvent>& events) {
  return {{"events", events.size()}};
}

// One query as a tool call: tool_executing, the query, tool_completed with a summary of what
// came back (or the error). A template over the query's awaitable, not a lambda, so that no
// coroutine outlives the object that holds its state (g++ 12).
template <typename T>
asio::awaitable<AnalyticsResult<T>> tool_call(RunEmitter& emitter, std::string_view tool,
                                              json parameters,
                                              asio::awaitable<analytics::Served<T>> query,
                                              json (*describe)(const T&), DataSnapshot& snap) {
  co_await emitter.tool_executing(kAgent, tool, std::move(parameters));
  analytics::Served<T> served = co_await std::move(query);
  // Where this query's answer came from; the snapshot's source names every backend that served.
  auto& backend = snap.backend;
  if (backend.empty()) {
    backend = std::string(served.backend);
  } else if (backend != served.backend) {
    backend = std::string(kMixedBackends);
  }
  if (served.partial && !snap.partial) snap.partial = served.partial;
  AnalyticsResult<T> result = std::move(served.result);
  if (!result) {
    json error = error_json(result.error());
    error["backend"] = served.backend;
    co_await emitter.tool_completed(kAgent, tool, std::move(error),
                                    RunEmitter::ToolOutcome::failed);
  } else {
    json summary = describe(result.value());
    summary["backend"] = served.backend;
    co_await emitter.tool_completed(kAgent, tool, std::move(summary));
  }
  co_return result;
}

json window_parameters(const DataRequest& request, std::string_view backend) {
  return {{"from_ms", request.range.from_ms}, {"to_ms", request.range.to_ms}, {"backend", backend}};
}

std::vector<std::string> scope_notes(const DataRequest& request, const DataSnapshot& snapshot) {
  std::vector<std::string> notes;
  for (const auto& w : request.workloads) {
    const bool seen = std::any_of(snapshot.by_workload.begin(), snapshot.by_workload.end(),
                                  [&](const GroupSummary& g) { return g.key == w; });
    if (!seen) notes.push_back("no events for workload `" + w + "` in this window");
  }
  for (const auto& m : request.models) {
    const bool seen =
        std::any_of(snapshot.by_model.begin(), snapshot.by_model.end(), [&](const GroupSummary& g) {
          const auto* known = find_model(g.key);
          return known != nullptr && known->name == m;
        });
    if (!seen) notes.push_back("no events for model " + m + " in this window");
  }
  return notes;
}

}  // namespace

int64_t timeline_bucket_ms(analytics::TimeRange range) {
  const int64_t span = std::max<int64_t>(1, range.to_ms - range.from_ms);
  // The store allows fewer than kMaxBuckets buckets: span / bucket < kMaxBuckets.
  const int64_t hours = span / (kHourMs * (analytics::kMaxBuckets - 1)) + 1;
  return hours * kHourMs;
}

asio::awaitable<AnalyticsResult<DataSnapshot>> collect_data(analytics::AnalyticsStore& store,
                                                            RunEmitter& emitter,
                                                            DataRequest request,
                                                            core::Deadline deadline) {
  DataSnapshot snap;
  const std::string planned(store.backend());  // where the queries are expected to go
  snap.range = request.range;
  snap.bucket_ms = timeline_bucket_ms(request.range);

  // Each query's arguments are variables, not temporaries in the co_await (g++ 12).
  auto params = window_parameters(request, planned);
  params["group_by"] = "model";
  auto by_model_query =
      store.summary_served(request.user_id, request.range, analytics::GroupBy::model, deadline);
  auto by_model = co_await tool_call<std::vector<GroupSummary>>(
      emitter, "analytics.summary", std::move(params), std::move(by_model_query), describe_groups,
      snap);
  if (!by_model) co_return by_model.error();
  snap.by_model = std::move(by_model.value());

  params = window_parameters(request, planned);
  params["group_by"] = "workload";
  auto by_workload_query =
      store.summary_served(request.user_id, request.range, analytics::GroupBy::workload, deadline);
  auto by_workload = co_await tool_call<std::vector<GroupSummary>>(
      emitter, "analytics.summary", std::move(params), std::move(by_workload_query),
      describe_groups, snap);
  if (!by_workload) co_return by_workload.error();
  snap.by_workload = std::move(by_workload.value());

  params = window_parameters(request, planned);
  params["limit"] = kRepeatedPromptLimit;
  auto repeats_query =
      store.repeated_prompts_served(request.user_id, request.range, kRepeatedPromptLimit, deadline);
  auto repeats = co_await tool_call<std::vector<analytics::RepeatedPrompt>>(
      emitter, "analytics.repeated_prompts", std::move(params), std::move(repeats_query),
      describe_repeats, snap);
  if (!repeats) co_return repeats.error();
  snap.repeated_prompts = std::move(repeats.value());

  params = window_parameters(request, planned);
  params["bucket_ms"] = snap.bucket_ms;
  auto timeline_query =
      store.timeline_served(request.user_id, request.range, snap.bucket_ms, deadline);
  auto timeline = co_await tool_call<std::vector<analytics::TimeBucket>>(
      emitter, "analytics.timeline", std::move(params), std::move(timeline_query),
      describe_timeline, snap);
  if (!timeline) co_return timeline.error();
  snap.timeline = std::move(timeline.value());

  params = window_parameters(request, planned);
  params["limit"] = kSampleLimit;
  auto sample_query = store.events_served(request.user_id, request.range, kSampleLimit, deadline);
  auto sample = co_await tool_call<std::vector<analytics::WorkloadEvent>>(
      emitter, "analytics.events", std::move(params), std::move(sample_query), describe_events,
      snap);
  if (!sample) co_return sample.error();

  int64_t events = 0;
  for (const auto& g : snap.by_model) events += g.requests;
  snap.sample_complete = static_cast<int64_t>(sample->size()) >= events;
  snap.workload_models = workload_model_usage(snap.by_workload, sample.value());
  snap.completeness =
      assess_completeness(request.range, events, snap.timeline, snap.bucket_ms, sample.value());
  snap.notes = scope_notes(request, snap);
  if (snap.partial) {
    // First: every figure below is about part of the data, and the report must not present it
    // as the user's spend.
    snap.notes.insert(snap.notes.begin(),
                      fmt::format("the data is incomplete — ClickHouse has not answered since {}, "
                                  "so these figures count only the calls received since then, "
                                  "not the user's spend over the period",
                                  markdown::utc_time(snap.partial->since_ms)));
  }
  co_return snap;
}

std::vector<WorkloadModelUsage> workload_model_usage(
    const std::vector<GroupSummary>& by_workload,
    const std::vector<analytics::WorkloadEvent>& sample) {
  std::map<std::pair<std::string, std::string>, WorkloadModelUsage> pairs;
  std::map<std::string, int64_t> sampled;
  for (const auto& e : sample) {
    auto& u = pairs[{e.workload_id, e.model}];
    u.workload_id = e.workload_id;
    u.model = e.model;
    u.requests += 1;
    u.input_tokens += static_cast<double>(e.input_tokens);
    u.output_tokens += static_cast<double>(e.output_tokens);
    u.cost_usd += e.cost_usd;
    ++sampled[e.workload_id];
  }
  std::vector<WorkloadModelUsage> out;
  out.reserve(pairs.size());
  for (auto& [key, u] : pairs) {
    const auto total = std::find_if(by_workload.begin(), by_workload.end(),
                                    [&](const GroupSummary& g) { return g.key == key.first; });
    if (total != by_workload.end() && total->requests > 0) {
      const double factor =
          static_cast<double>(total->requests) / static_cast<double>(sampled[key.first]);
      u.requests *= factor;
      u.input_tokens *= factor;
      u.output_tokens *= factor;
      u.cost_usd *= factor;
    }
    out.push_back(std::move(u));
  }
  return out;
}

json to_json(const DataSnapshot& snapshot) {
  json out = {{"backend", snapshot.backend},
              {"from_ms", snapshot.range.from_ms},
              {"to_ms", snapshot.range.to_ms},
              {"models", describe_groups(snapshot.by_model)},
              {"workloads", describe_groups(snapshot.by_workload)},
              {"repeated_prompts", describe_repeats(snapshot.repeated_prompts)},
              {"timeline", describe_timeline(snapshot.timeline)},
              {"bucket_ms", snapshot.bucket_ms},
              {"sample_complete", snapshot.sample_complete},
              {"completeness", to_json(snapshot.completeness)},
              {"complete", !snapshot.partial.has_value()},
              {"notes", snapshot.notes}};
  return out;
}

}  // namespace netra::agents
