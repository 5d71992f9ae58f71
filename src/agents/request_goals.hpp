// RequestGoals: what a request wants reached and what it must not break, read by rules from its
// words — a saving target ("cut 30 %", "under $500 a month"), a latency limit ("p99 under 2 s"),
// and constraints ("without hurting latency" or quality, "only OpenAI", "leave support-chat
// alone"). Recommendations that would break a constraint are left out of the report, which says
// so (see constraints.hpp); the summary says whether the target is met (see target_verdict.hpp).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::agents {

// "p99 under 2 s": the percentile's latency must stay at or below `max_ms`. Percentiles the data
// does not keep are read as the next one it does (p90 as p95).
struct LatencyLimit {
  int percentile = 99;  // 50, 95 or 99
  double max_ms = 0;
};

struct RequestGoals {
  std::optional<double> saving_share;        // "cut 30 %": 0.30
  std::optional<double> monthly_budget_usd;  // "under $500 a month": 500
  std::optional<double> monthly_saving_usd;  // "save $200 a month": 200
  std::optional<LatencyLimit> latency_limit;
  bool keep_latency = false;                     // "without hurting latency", "no slower"
  bool keep_quality = false;                     // "without hurting quality", "same accuracy"
  std::vector<std::string> only_vendors;         // "only OpenAI": {"openai"}
  std::vector<std::string> protected_workloads;  // "leave support-chat alone", as written
  // The phrases the target and the constraints were read from, as written, for the report
  // ("cut my LLM costs by 30%", "without hurting latency").
  std::vector<std::string> target_phrases;
  std::vector<std::string> constraint_phrases;
  // Byte ranges of the request that state a constraint: the words of "without hurting latency"
  // say what to keep, not what the request is about, so intent is read without them.
  std::vector<std::pair<size_t, size_t>> constraint_spans;

  bool has_target() const {
    return saving_share.has_value() || monthly_budget_usd.has_value() ||
           monthly_saving_usd.has_value();
  }
  bool has_constraints() const {
    return latency_limit.has_value() || keep_latency || keep_quality || !only_vendors.empty() ||
           !protected_workloads.empty();
  }
};

RequestGoals read_goals(std::string_view request);

// The request with each constraint span blanked (same length): what intent is read from.
std::string without_constraints(std::string_view request, const RequestGoals& goals);

nlohmann::json to_json(const RequestGoals& goals);
// What to_json wrote (a previous report's goals); what it cannot read stays unset.
RequestGoals goals_from_json(const nlohmann::json& json);

}  // namespace netra::agents
