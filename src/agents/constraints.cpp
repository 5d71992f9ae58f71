#include "agents/constraints.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "agents/detail/name_lists.hpp"
#include "agents/markdown_format.hpp"
#include "analytics/model_catalog.hpp"

namespace netra::agents {
using analytics::canonical_model_name;
using detail::contains;
namespace {

namespace md = markdown;
using analytics::find_model;

// The model's latency at `percentile` in the data: the slowest of the spellings that name it
// ("claude-3-5-sonnet" and a dated version); none when the data has no call to it.
std::optional<double> latency_of(const DataSnapshot& data, const std::string& model,
                                 int percentile) {
  std::optional<double> worst;
  for (const auto& g : data.by_model) {
    if (canonical_model_name(g.key) != canonical_model_name(model) || g.requests == 0) continue;
    const auto value = static_cast<double>(percentile == 50   ? g.latency_p50_ms
                                           : percentile == 95 ? g.latency_p95_ms
                                                              : g.latency_p99_ms);
    worst = std::max(worst.value_or(0), value);
  }
  return worst;
}

std::string ms(double value) {
  return md::count(value) + " ms";
}

// Why a model switch would break the latency the request keeps; empty when it would not.
std::string slower_switch(const Recommendation& r, const DataSnapshot& data,
                          const RequestGoals& goals) {
  const int percentile = goals.latency_limit ? goals.latency_limit->percentile : 99;
  const auto now = latency_of(data, r.current_model, percentile);
  const auto then = latency_of(data, r.suggested_model, percentile);
  if (!then) {
    return fmt::format("no call to {} in this data shows its latency", md::code(r.suggested_model));
  }
  if (goals.latency_limit && *then > goals.latency_limit->max_ms) {
    return fmt::format("{}'s p{} in your data is {}, over the {} limit",
                       md::code(r.suggested_model), percentile, ms(*then),
                       ms(goals.latency_limit->max_ms));
  }
  if (goals.keep_latency && now && *then > *now) {
    return fmt::format("{} is slower at p{} in your data: {} against {} for {}",
                       md::code(r.suggested_model), percentile, ms(*then), ms(*now),
                       md::code(r.current_model));
  }
  return "";
}

}  // namespace

std::string constraint_breach(const Recommendation& r, const DataSnapshot& data,
                              const RequestGoals& goals) {
  if (r.target_kind == TargetKind::workload && contains(goals.protected_workloads, r.target)) {
    return fmt::format("it changes {}, which you asked to leave alone", md::code(r.target));
  }
  if (!goals.only_vendors.empty() && !r.suggested_model.empty()) {
    const auto* suggested = find_model(r.suggested_model);
    if (suggested != nullptr && !contains(goals.only_vendors, std::string(suggested->vendor))) {
      return fmt::format("{} is {}'s, and you asked for {} only", md::code(r.suggested_model),
                         suggested->vendor, fmt::join(goals.only_vendors, " or "));
    }
  }
  const bool latency_kept = goals.keep_latency || goals.latency_limit.has_value();
  if (latency_kept && r.kind == RecommendationKind::batching) {
    return "a batch API answers within hours, not seconds: it would hurt latency";
  }
  if (latency_kept && r.kind == RecommendationKind::model_switch) {
    if (auto why = slower_switch(r, data, goals); !why.empty()) return why;
  }
  if (goals.keep_quality && r.kind == RecommendationKind::model_switch) {
    return fmt::format("{} is a smaller model than {}: its answers may be worse",
                       md::code(r.suggested_model), md::code(r.current_model));
  }
  if (goals.keep_quality && r.kind == RecommendationKind::prompt_trimming) {
    return "shorter prompts may drop context the answers need";
  }
  return "";
}

ConstrainedRecommendations apply_constraints(std::vector<Recommendation> recommendations,
                                             const DataSnapshot& data, const RequestGoals& goals) {
  ConstrainedRecommendations out;
  for (auto& r : recommendations) {
    auto why = constraint_breach(r, data, goals);
    if (why.empty()) {
      out.kept.push_back(std::move(r));
    } else {
      out.excluded.push_back({std::move(r), std::move(why)});
    }
  }
  return out;
}

nlohmann::json to_json(const ExcludedRecommendation& excluded) {
  auto out = to_json(excluded.recommendation);
  out["excluded_because"] = excluded.reason;
  return out;
}

}  // namespace netra::agents
