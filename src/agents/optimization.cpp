#include "agents/optimization.hpp"

#include <algorithm>
#include <map>

#include "agents/detail/name_lists.hpp"
#include "agents/detail/optimization_rules.hpp"
#include "agents/time_window.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::canonical_model_name;
using analytics::find_model;
using detail::contains;
namespace {

constexpr int64_t kMonthMs = 30 * kDayMs;

bool workload_uses(const DataSnapshot& data, const std::string& workload,
                   const std::vector<std::string>& models) {
  return std::any_of(
      data.workload_models.begin(), data.workload_models.end(), [&](const WorkloadModelUsage& u) {
        return u.workload_id == workload && contains(models, canonical_model_name(u.model));
      });
}

bool in_scope(const Recommendation& r, const DataSnapshot& data, const OptimizationScope& scope) {
  if (r.target_kind == TargetKind::workload) {
    if (!scope.workloads.empty() && !contains(scope.workloads, r.target)) return false;
    if (!scope.models.empty()) {
      const bool named = contains(scope.models, canonical_model_name(r.current_model)) ||
                         contains(scope.models, canonical_model_name(r.suggested_model));
      if (!named && !workload_uses(data, r.target, scope.models)) return false;
    }
    return true;
  }
  if (!scope.models.empty() && !contains(scope.models, canonical_model_name(r.target)))
    return false;
  if (!scope.workloads.empty()) {
    const std::vector<std::string> model{canonical_model_name(r.target)};
    return std::any_of(scope.workloads.begin(), scope.workloads.end(),
                       [&](const std::string& w) { return workload_uses(data, w, model); });
  }
  return true;
}

bool largest_saving_first(const Recommendation& a, const Recommendation& b) {
  if (a.monthly_saving_usd != b.monthly_saving_usd)
    return a.monthly_saving_usd > b.monthly_saving_usd;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.target < b.target;
}

}  // namespace

double combined_monthly_saving(const std::vector<Recommendation>& recommendations,
                               const DataSnapshot& data, double factor) {
  std::map<std::string, double> kept;  // per workload: the share of its spend that remains
  std::vector<const Recommendation*> each;
  for (const auto& r : recommendations) {
    for (const auto* t : r.targets()) each.push_back(t);
  }
  for (const auto* t : each) {
    const auto& r = *t;
    if (r.target_kind != TargetKind::workload || r.monthly_saving_usd <= 0) continue;
    const auto g =
        std::find_if(data.by_workload.begin(), data.by_workload.end(),
                     [&](const analytics::GroupSummary& s) { return s.key == r.target; });
    if (g == data.by_workload.end() || g->cost_usd <= 0) continue;
    const double fraction = std::min(1.0, r.monthly_saving_usd / (g->cost_usd * factor));
    auto [it, fresh] = kept.emplace(r.target, 1.0);
    it->second *= 1 - fraction;
  }
  double total = 0;
  for (const auto& [workload, remaining] : kept) {
    const auto g =
        std::find_if(data.by_workload.begin(), data.by_workload.end(),
                     [&](const analytics::GroupSummary& s) { return s.key == workload; });
    total += g->cost_usd * factor * (1 - remaining);
  }
  return total;
}

OptimizationScope effective_scope(const DataSnapshot& data, const OptimizationScope& asked) {
  OptimizationScope scope{{}, {}, asked.goals};
  for (const auto& w : asked.workloads) {
    for (const auto& g : data.by_workload) {
      if (g.key == w && !contains(scope.workloads, w)) scope.workloads.push_back(w);
    }
  }
  for (const auto& m : asked.models) {
    for (const auto& g : data.by_model) {
      if (canonical_model_name(g.key) == m && !contains(scope.models, m)) scope.models.push_back(m);
    }
  }
  return scope;
}

double monthly_factor(const DataSnapshot& data) {
  if (data.timeline.empty()) return 0;
  const int64_t first = std::max(data.range.from_ms, data.timeline.front().start_ms);
  const int64_t observed = std::max(kDayMs, data.range.to_ms - first);
  return static_cast<double>(kMonthMs) / static_cast<double>(observed);
}

OptimizationResult optimize(const DataSnapshot& data, const OptimizationScope& scope,
                            const OptimizationRules& rules) {
  OptimizationResult result;
  for (const auto& g : data.by_model) result.window_cost_usd += g.cost_usd;
  result.monthly_factor = monthly_factor(data);
  result.monthly_spend_usd = result.window_cost_usd * result.monthly_factor;
  if (!data.completeness.sufficient) return result;
  result.analysed = true;

  const detail::RuleInput in{data, rules, result.monthly_factor,
                             result.monthly_factor > 0 ? 30 / result.monthly_factor : 0};
  std::vector<Recommendation> all;
  for (auto rule : {detail::model_switch, detail::caching, detail::batching,
                    detail::prompt_trimming, detail::retries_and_fallback, detail::latency}) {
    for (auto& r : rule(in)) all.push_back(std::move(r));
  }
  const auto applied = effective_scope(data, scope);
  std::vector<Recommendation> scoped;
  for (auto& r : all) {
    if (in_scope(r, data, applied)) scoped.push_back(std::move(r));
  }
  std::stable_sort(scoped.begin(), scoped.end(), largest_saving_first);
  auto constrained = apply_constraints(std::move(scoped), data, scope.goals);
  result.excluded = std::move(constrained.excluded);
  result.recommendations = merge_same_kind(std::move(constrained.kept));
  std::stable_sort(result.recommendations.begin(), result.recommendations.end(),
                   largest_saving_first);
  if (result.recommendations.size() > kMaxRecommendations) {
    result.recommendations.resize(kMaxRecommendations);
  }
  for (size_t i = 0; i < result.recommendations.size(); ++i) {
    auto& r = result.recommendations[i];
    r.id = "R" + std::to_string(i + 1);
    for (auto& covered : r.covers) covered.id = r.id;
  }
  result.monthly_saving_usd =
      combined_monthly_saving(result.recommendations, data, result.monthly_factor);
  auto everything = result.recommendations;
  for (const auto& e : result.excluded) everything.push_back(e.recommendation);
  result.monthly_saving_unconstrained_usd =
      combined_monthly_saving(everything, data, result.monthly_factor);
  return result;
}

nlohmann::json to_json(const OptimizationResult& result) {
  nlohmann::json recommendations = nlohmann::json::array();
  for (const auto& r : result.recommendations) recommendations.push_back(to_json(r));
  nlohmann::json excluded = nlohmann::json::array();
  for (const auto& e : result.excluded) excluded.push_back(to_json(e));
  return {{"analysed", result.analysed},
          {"excluded", std::move(excluded)},
          {"monthly_saving_unconstrained_usd", result.monthly_saving_unconstrained_usd},
          {"window_cost_usd", result.window_cost_usd},
          {"monthly_factor", result.monthly_factor},
          {"monthly_spend_usd", result.monthly_spend_usd},
          {"monthly_saving_usd", result.monthly_saving_usd},
          {"recommendations", std::move(recommendations)}};
}

}  // namespace netra::agents
