#include "agents/target_verdict.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "agents/constraints.hpp"
#include "agents/detail/name_lists.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::canonical_model_name;
using detail::contains;
namespace {

using analytics::find_model;
using analytics::list_cost_usd;

// Whether one workload's calls on one model are among what the request is about.
bool in_scope(const WorkloadModelUsage& u, const OptimizationScope& scope) {
  return (scope.workloads.empty() || contains(scope.workloads, u.workload_id)) &&
         (scope.models.empty() || contains(scope.models, canonical_model_name(u.model)));
}

// Whether the plan already moves this workload's calls off this model.
bool planned_switch(const OptimizationResult& optimization, const WorkloadModelUsage& u) {
  for (const auto& group : optimization.recommendations) {
    for (const auto* r : group.targets()) {
      // By name, not by catalog entry: an administrator's change may install a new catalog
      // between two lookups.
      if (r->kind == RecommendationKind::model_switch && r->target == u.workload_id &&
          canonical_model_name(r->current_model) == canonical_model_name(u.model)) {
        return true;
      }
    }
  }
  return false;
}

// The switch as a recommendation, for the constraints and the combined saving.
Recommendation as_recommendation(const FurtherSwitch& f) {
  Recommendation r;
  r.kind = RecommendationKind::model_switch;
  r.target_kind = TargetKind::workload;
  r.target = f.workload;
  r.current_model = f.current_model;
  r.suggested_model = f.cheaper_model;
  r.monthly_saving_usd = f.monthly_saving_usd;
  return r;
}

// The largest saving a same-vendor cheaper model would bring to one workload's calls that the
// request's constraints allow (a workload left alone, latency or quality kept, the vendors).
std::optional<FurtherSwitch> largest_further_switch(const OptimizationScope& scope,
                                                    const OptimizationResult& optimization,
                                                    const DataSnapshot& data) {
  const auto& goals = scope.goals;
  std::vector<FurtherSwitch> candidates;
  for (const auto& u : data.workload_models) {
    if (planned_switch(optimization, u) || !in_scope(u, scope)) continue;
    const auto* current = find_model(u.model);
    if (current == nullptr || current->cheaper.empty()) continue;
    const auto* cheaper = find_model(current->cheaper);
    if (cheaper == nullptr) continue;
    const double list_now = list_cost_usd(*current, u.input_tokens, u.output_tokens);
    if (list_now <= 0) continue;
    const double reduction =
        1 - list_cost_usd(*cheaper, u.input_tokens, u.output_tokens) / list_now;
    const double saving = u.cost_usd * reduction * optimization.monthly_factor;
    if (saving <= 0) continue;
    candidates.push_back({u.workload_id, std::string(current->name), std::string(cheaper->name),
                          saving, u.requests > 0 ? u.input_tokens / u.requests : 0});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return a.monthly_saving_usd > b.monthly_saving_usd;
  });
  for (auto& f : candidates) {
    if (constraint_breach(as_recommendation(f), data, goals).empty()) return f;
  }
  return std::nullopt;
}

// The spend of what the request is about, a month at this rate.
double scoped_monthly_spend(const OptimizationScope& scope, const OptimizationResult& optimization,
                            const DataSnapshot& data) {
  if (scope.workloads.empty() && scope.models.empty()) return optimization.monthly_spend_usd;
  double cost = 0;
  if (scope.models.empty()) {
    for (const auto& g : data.by_workload) {
      if (contains(scope.workloads, g.key)) cost += g.cost_usd;
    }
  } else if (scope.workloads.empty()) {
    for (const auto& g : data.by_model) {
      if (contains(scope.models, canonical_model_name(g.key))) cost += g.cost_usd;
    }
  } else {
    for (const auto& u : data.workload_models) {
      if (in_scope(u, scope)) cost += u.cost_usd;
    }
  }
  return cost * optimization.monthly_factor;
}

}  // namespace

std::optional<TargetVerdict> judge_target(const OptimizationScope& asked,
                                          const OptimizationResult& optimization,
                                          const DataSnapshot& data) {
  if (!asked.goals.has_target() || !optimization.analysed) return std::nullopt;
  const auto scope = effective_scope(data, asked);
  const auto& goals = scope.goals;
  TargetVerdict v;
  v.asked = fmt::format("{}", fmt::join(goals.target_phrases, "; "));
  v.monthly_spend_usd = scoped_monthly_spend(scope, optimization, data);
  // Several targets in one request: the hardest one decides.
  if (goals.saving_share) v.needed_usd = *goals.saving_share * v.monthly_spend_usd;
  if (goals.monthly_budget_usd) {
    v.needed_usd = std::max(v.needed_usd, v.monthly_spend_usd - *goals.monthly_budget_usd);
  }
  if (goals.monthly_saving_usd) v.needed_usd = std::max(v.needed_usd, *goals.monthly_saving_usd);
  v.needed_usd = std::max(0.0, v.needed_usd);
  v.planned_usd = optimization.monthly_saving_usd;
  v.unconstrained_usd = optimization.monthly_saving_unconstrained_usd;
  // A cent of rounding is not a miss.
  v.met = v.planned_usd + 0.005 >= v.needed_usd;
  if (!v.met) {
    v.further = largest_further_switch(scope, optimization, data);
    if (v.further) {
      // It combines with the plan's changes to the same workload, not adds.
      auto with = optimization.recommendations;
      with.push_back(as_recommendation(*v.further));
      v.with_further_usd = combined_monthly_saving(with, data, optimization.monthly_factor);
    }
  }
  return v;
}

nlohmann::json to_json(const TargetVerdict& v) {
  nlohmann::json out = {{"asked", v.asked},
                        {"monthly_spend_usd", v.monthly_spend_usd},
                        {"needed_monthly_saving_usd", v.needed_usd},
                        {"planned_monthly_saving_usd", v.planned_usd},
                        {"planned_share", v.planned_share()},
                        {"met", v.met},
                        {"unconstrained_monthly_saving_usd", v.unconstrained_usd}};
  if (v.further) {
    out["further"] = {{"workload", v.further->workload},
                      {"current_model", v.further->current_model},
                      {"cheaper_model", v.further->cheaper_model},
                      {"monthly_saving_usd", v.further->monthly_saving_usd},
                      {"with_plan_monthly_saving_usd", v.with_further_usd}};
  }
  return out;
}

}  // namespace netra::agents
