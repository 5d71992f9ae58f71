#include "agents/what_if.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "agents/detail/name_lists.hpp"
#include "agents/detail/optimization_rules.hpp"
#include "agents/detail/spaced_words.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::canonical_model_name;
using detail::contains;
using detail::has_any;
namespace {

using analytics::find_model;
using analytics::list_cost_usd;

// The rule of `kind` with no threshold: its estimate for any workload with calls.
std::vector<Recommendation> estimates_of(RecommendationKind kind, const DataSnapshot& data,
                                         double monthly_factor) {
  OptimizationRules rules;
  rules.min_requests = 1;
  rules.min_monthly_saving_usd = 0;
  rules.min_avoidable_repeats = 1;
  rules.min_repeat_share = 0;
  rules.batch_min_requests_per_day = 0;
  rules.batch_max_tokens_per_request = std::numeric_limits<double>::max();
  rules.trim_min_input_tokens = 0;
  rules.trim_min_input_output_ratio = 0;
  const detail::RuleInput in{data, rules, monthly_factor,
                             monthly_factor > 0 ? 30 / monthly_factor : 0};
  switch (kind) {
    case RecommendationKind::caching:
      return detail::caching(in);
    case RecommendationKind::batching:
      return detail::batching(in);
    case RecommendationKind::prompt_trimming:
      return detail::prompt_trimming(in);
    default:
      return {};
  }
}

std::optional<WhatIf> switch_what_if(const TriageResult& triage, const DataSnapshot& data,
                                     double monthly_factor) {
  if (triage.models.empty()) return std::nullopt;
  WhatIf w;
  w.kind = RecommendationKind::model_switch;
  // The model asked about is the last one named ("from gpt-4o to gpt-4o-mini"); the others named
  // are the ones it would replace, else every model the subject uses.
  w.target_model = triage.models.back();
  for (size_t i = 0; i + 1 < triage.models.size(); ++i) w.from_models.push_back(triage.models[i]);
  w.workloads = triage.workloads;
  const auto* target = find_model(w.target_model);
  if (target == nullptr) return std::nullopt;  // gone from a catalog installed meanwhile
  for (const auto& u : data.workload_models) {
    if (!w.workloads.empty() && !contains(w.workloads, u.workload_id)) continue;
    const auto model = canonical_model_name(u.model);
    if (model == w.target_model) continue;
    if (!w.from_models.empty() && !contains(w.from_models, model)) continue;
    const auto* current = find_model(u.model);
    SwitchLine line{u.workload_id, u.model, u.requests, u.cost_usd * monthly_factor, 0};
    const double list_now =
        current != nullptr ? list_cost_usd(*current, u.input_tokens, u.output_tokens) : 0;
    const double list_then = list_cost_usd(*target, u.input_tokens, u.output_tokens);
    // The list-price ratio applied to what the calls really cost (which may carry discounts);
    // a model the catalog does not price is billed at the target's list price.
    line.monthly_cost_after_usd =
        (list_now > 0 ? u.cost_usd * list_then / list_now : list_then) * monthly_factor;
    w.lines.push_back(std::move(line));
  }
  if (w.lines.empty()) {
    w.nothing = w.workloads.empty()
                    ? "no calls in this period would move"
                    : fmt::format("no calls of {} in this period are on another model",
                                  fmt::join(w.workloads, ", "));
  }
  return w;
}

}  // namespace

double WhatIf::monthly_cost_usd() const {
  double total = 0;
  for (const auto& l : lines) total += l.monthly_cost_usd;
  return total;
}

double WhatIf::monthly_cost_after_usd() const {
  double total = 0;
  for (const auto& l : lines) total += l.monthly_cost_after_usd;
  return total;
}

std::optional<WhatIf> read_what_if(const TriageResult& triage, std::string_view request,
                                   const DataSnapshot& data, double monthly_factor) {
  if (!data.completeness.sufficient) return std::nullopt;
  const auto words = detail::spaced_words(request, "-_'");
  const bool asks = has_any(words, {"what if", "should i", "should we", "would", "could i",
                                    "could we", "if we", "if i", "worth", "how much"});
  // "use" and "try" ask for a change only in a question about one: "why do we use gpt-4o?" not.
  const bool switches =
      has_any(words, {"switch", "switched", "switching", "move", "moved", "moving", "migrate",
                      "migrated", "migrating", "replace", "instead"}) ||
      (asks && has_any(words, {"use", "using", "try"}));
  if (switches && !triage.models.empty() && find_model(triage.models.back()) != nullptr) {
    return switch_what_if(triage, data, monthly_factor);
  }
  if (!asks || triage.workloads.empty()) return std::nullopt;
  std::optional<RecommendationKind> kind;
  if (has_any(words, {"cache", "caching", "cached"})) kind = RecommendationKind::caching;
  if (has_any(words, {"batch", "batching", "batched"})) kind = RecommendationKind::batching;
  if (has_any(words, {"trim", "trimming", "trimmed", "shorten", "shorter", "compress"})) {
    kind = RecommendationKind::prompt_trimming;
  }
  if (!kind) return std::nullopt;
  WhatIf w;
  w.kind = *kind;
  w.workloads = triage.workloads;
  for (auto& r : estimates_of(*kind, data, monthly_factor)) {
    if (contains(w.workloads, r.target)) w.estimates.push_back(std::move(r));
  }
  if (w.estimates.empty()) {
    w.nothing = *kind == RecommendationKind::caching ? "none of its calls repeated a prompt"
                : *kind == RecommendationKind::batching
                    ? "its vendor has no batch API at a discount"
                    : "its prompts carry too little input to trim";
  }
  return w;
}

nlohmann::json to_json(const WhatIf& w) {
  nlohmann::json out = {{"kind", to_string(w.kind)}, {"workloads", w.workloads}};
  if (w.kind == RecommendationKind::model_switch) {
    out["target_model"] = w.target_model;
    out["from_models"] = w.from_models;
    out["monthly_cost_usd"] = w.monthly_cost_usd();
    out["monthly_cost_after_usd"] = w.monthly_cost_after_usd();
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& l : w.lines) {
      lines.push_back({{"workload", l.workload},
                       {"model", l.model},
                       {"requests", l.requests},
                       {"monthly_cost_usd", l.monthly_cost_usd},
                       {"monthly_cost_after_usd", l.monthly_cost_after_usd}});
    }
    out["lines"] = std::move(lines);
  } else {
    nlohmann::json estimates = nlohmann::json::array();
    for (const auto& r : w.estimates) estimates.push_back(to_json(r));
    out["estimates"] = std::move(estimates);
  }
  if (!w.nothing.empty()) out["nothing"] = w.nothing;
  return out;
}

}  // namespace netra::agents
