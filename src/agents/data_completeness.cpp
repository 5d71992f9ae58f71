#include "agents/data_completeness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "agents/time_window.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::find_model;
namespace {

double round2(double x) {
  return std::round(x * 100) / 100;
}

std::string hours(int64_t ms) {
  const double h = static_cast<double>(ms) / static_cast<double>(kHourMs);
  return h == std::floor(h) ? fmt::format("{} hours", static_cast<int64_t>(h))
                            : fmt::format("{:.1f} hours", h);
}

template <typename Pred>
FieldCoverage coverage(std::string field, const std::vector<analytics::WorkloadEvent>& sample,
                       Pred has) {
  FieldCoverage c{std::move(field), 0};
  if (sample.empty()) return c;
  const auto n = std::count_if(sample.begin(), sample.end(), has);
  c.share = static_cast<double>(n) / static_cast<double>(sample.size());
  return c;
}

}  // namespace

int64_t required_span_ms(analytics::TimeRange range) {
  return std::min(kDayMs, (range.to_ms - range.from_ms) / 2);
}

Completeness assess_completeness(analytics::TimeRange range, int64_t events,
                                 const std::vector<analytics::TimeBucket>& timeline,
                                 int64_t bucket_ms,
                                 const std::vector<analytics::WorkloadEvent>& sample) {
  Completeness c;
  c.events = events;
  c.sampled_events = static_cast<int64_t>(sample.size());
  c.window_days = (range.to_ms - 1) / kDayMs - range.from_ms / kDayMs + 1;

  std::set<int64_t> days;
  for (const auto& b : timeline) {
    if (b.requests == 0) continue;
    // A bucket longer than a day covers each day it spans.
    for (int64_t t = b.start_ms; t < std::min(b.start_ms + bucket_ms, range.to_ms); t += kDayMs) {
      days.insert(t / kDayMs);
    }
  }
  c.days_covered = static_cast<int64_t>(days.size());
  if (!timeline.empty()) {
    c.span_ms =
        std::min(timeline.back().start_ms + bucket_ms, range.to_ms) - timeline.front().start_ms;
  }

  using analytics::WorkloadEvent;
  c.fields = {
      coverage("model", sample,
               [](const WorkloadEvent& e) { return find_model(e.model) != nullptr; }),
      coverage("tokens", sample,
               [](const WorkloadEvent& e) { return e.input_tokens > 0 || e.output_tokens > 0; }),
      coverage("latency_ms", sample, [](const WorkloadEvent& e) { return e.latency_ms > 0; }),
      // A call answered from the caller's cache may well have cost nothing.
      coverage("cost_usd", sample,
               [](const WorkloadEvent& e) { return e.cost_usd > 0 || e.cached; }),
      coverage("prompt_hash", sample,
               [](const WorkloadEvent& e) { return !e.prompt_hash.empty(); }),
  };
  double field_mean = 0;
  for (const auto& f : c.fields) field_mean += f.share;
  field_mean /= static_cast<double>(c.fields.size());
  const double volume = std::min(1.0, static_cast<double>(events) / 1000.0);
  const double cover =
      std::min(1.0, static_cast<double>(c.days_covered) / static_cast<double>(c.window_days));
  c.score = round2(0.4 * volume + 0.3 * cover + 0.3 * field_mean);

  const int64_t needed_span = required_span_ms(range);
  if (events == 0) {
    c.reason = "there are no workload events in this window";
  } else if (events < kMinEventsForAnalysis) {
    c.reason = fmt::format(
        "there are only {} workload events in this window; an analysis needs at "
        "least {}",
        events, kMinEventsForAnalysis);
  } else if (c.span_ms < needed_span) {
    c.reason =
        fmt::format("the events span only {}; an analysis needs them spread over at least {}",
                    hours(c.span_ms), hours(needed_span));
  } else {
    c.sufficient = true;
  }
  return c;
}

std::string ingest_instructions() {
  return fmt::format(
      R"(Send your application's LLM calls to `POST /api/workloads/events` (your bearer token; a JSON
array of up to 10,000 events per request) — at least {} calls spread over at least a day. Each
event:

| field | type | required | what it is |
|---|---|---|---|
| `timestamp` | integer, Unix ms | yes | when the call was made |
| `workload_id` | string | yes | the feature or job that made it ("support-bot") |
| `provider` | string | yes | "openai", "anthropic", … |
| `model` | string | yes | the model as the provider names it ("gpt-4o-mini") |
| `input_tokens`, `output_tokens` | integers | yes | tokens sent and received |
| `latency_ms` | integer | yes | time to the complete answer |
| `cost_usd` | number | yes | what the call cost |
| `status` | "ok" or "error" | yes | whether it succeeded |
| `error_type` | string | no | "rate_limit", "timeout", … |
| `prompt_hash` | string | no, but caching advice needs it | a hash of the prompt text |
| `cached` | boolean | no | answered from your own cache |
| `tags` | object of strings | no | anything else ("env": "prod") |

```json
[{{"timestamp": 1718452800000, "workload_id": "support-bot", "provider": "openai",
  "model": "gpt-4o", "input_tokens": 812, "output_tokens": 164, "latency_ms": 1840,
  "cost_usd": 0.00367, "status": "ok", "prompt_hash": "9f2c1e", "cached": false}}]
```
)",
      kMinEventsForAnalysis);
}

nlohmann::json to_json(const Completeness& completeness) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& f : completeness.fields) fields[f.field] = f.share;
  nlohmann::json out = {{"events", completeness.events},
                        {"days_covered", completeness.days_covered},
                        {"window_days", completeness.window_days},
                        {"span_ms", completeness.span_ms},
                        {"sampled_events", completeness.sampled_events},
                        {"fields", std::move(fields)},
                        {"score", completeness.score},
                        {"sufficient", completeness.sufficient}};
  if (!completeness.sufficient) out["reason"] = completeness.reason;
  return out;
}

}  // namespace netra::agents
