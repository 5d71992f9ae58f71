// WhatIf: a question about one change, computed rather than deflected — "Should I switch
// doc-summarizer to claude-3-5-haiku?" gets the cost before and after at list prices and what the
// user's own calls say about the model's latency and failures; "what if we cached support-chat?"
// (or batched, or trimmed its prompts) gets the rule's estimate for that workload, whether or not
// it crosses the thresholds a recommendation needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/data_step.hpp"
#include "agents/recommendation.hpp"
#include "agents/triage.hpp"

namespace netra::agents {

// One workload's calls on one model, before and after the switch, a month at this rate.
struct SwitchLine {
  std::string workload;
  std::string model;
  double requests = 0;
  double monthly_cost_usd = 0;        // what they cost now
  double monthly_cost_after_usd = 0;  // at the target's list prices (the ratio to the current
                                      // model's, applied to what they really cost)
};

struct WhatIf {
  RecommendationKind kind = RecommendationKind::model_switch;
  std::vector<std::string> workloads;  // the subject; empty: every call on `from_models`
  // model_switch: the model asked about, the models it would replace, and each pair's figures.
  std::string target_model;
  std::vector<std::string> from_models;
  std::vector<SwitchLine> lines;
  // caching, batching, prompt_trimming: the rule's estimate per workload, or why none.
  std::vector<Recommendation> estimates;
  std::string nothing;  // set when nothing could be computed, saying why

  double monthly_cost_usd() const;
  double monthly_cost_after_usd() const;
};

// The what-if the request asks, if it asks one the data can answer about.
std::optional<WhatIf> read_what_if(const TriageResult& triage, std::string_view request,
                                   const DataSnapshot& data, double monthly_factor);

nlohmann::json to_json(const WhatIf& what_if);

}  // namespace netra::agents
