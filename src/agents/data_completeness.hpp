// DataCompleteness: how far a user's workload events can carry an analysis — how many, over how
// long, with which fields — and, when they cannot, what to send so that the next run can.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analytics/analytics_store.hpp"

namespace netra::agents {

// Fewer events than this, or events spread over less than required_span_ms, and a run reports
// "not enough data" instead of numbers: percentiles and savings from a handful of calls, or from
// one burst, would mislead.
inline constexpr int64_t kMinEventsForAnalysis = 100;
// A day, or half the window when the window is shorter than two days ("today").
int64_t required_span_ms(analytics::TimeRange range);

struct FieldCoverage {
  std::string field;  // "model", "tokens", "latency_ms", "cost_usd", "prompt_hash"
  double share = 0;   // of the sampled events, how many carry it (0–1)
};

struct Completeness {
  int64_t events = 0;        // in the window
  int64_t days_covered = 0;  // UTC days with at least one event
  int64_t window_days = 0;   // UTC days the window touches
  int64_t span_ms = 0;       // from the first event's bucket to the end of the last one's
  int64_t sampled_events = 0;
  std::vector<FieldCoverage> fields;
  // 0.4·volume (events/1,000, at most 1) + 0.3·coverage (days covered/window days) + 0.3·the
  // mean field share; two decimals.
  double score = 0;
  bool sufficient = false;
  std::string reason;  // why not, when not sufficient
};

// `timeline` in buckets of `bucket_ms` over `range`; `sample` a sample of the window's events
// (for which fields are filled).
Completeness assess_completeness(analytics::TimeRange range, int64_t events,
                                 const std::vector<analytics::TimeBucket>& timeline,
                                 int64_t bucket_ms,
                                 const std::vector<analytics::WorkloadEvent>& sample);

// Markdown: the endpoint, the fields of an event and an example — what a user with too little
// data should send.
std::string ingest_instructions();

nlohmann::json to_json(const Completeness& completeness);

}  // namespace netra::agents
