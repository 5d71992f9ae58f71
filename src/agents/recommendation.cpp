#include "agents/recommendation.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netra::agents {
namespace {

// The title and rationale of a recommendation that covers several targets of its kind.
void describe_group(Recommendation& group) {
  const size_t n = group.covers.size();
  const char* what = group.target_kind == TargetKind::workload ? "workloads" : "models";
  switch (group.kind) {
    case RecommendationKind::model_switch:
      group.title = fmt::format("Move {} {} to a cheaper model of the same vendor", n, what);
      group.rationale =
          "Their calls are short and simple: work a smaller model handles well at a fraction of "
          "the list price. Compare answers on a sample of real prompts before switching all "
          "traffic.";
      break;
    case RecommendationKind::caching:
      group.title = fmt::format("Cache the answers of {} {} by prompt hash", n, what);
      group.rationale =
          "The same prompts are sent again and again and answered anew each time; a cache keyed "
          "by model and prompt hash answers the repeats at no cost.";
      break;
    case RecommendationKind::batching:
      group.title = fmt::format("Send the calls of {} {} through a batch API", n, what);
      group.rationale =
          "Many small calls whose answers can wait: the vendors' batch APIs halve the price for "
          "answers within 24 hours.";
      break;
    case RecommendationKind::prompt_trimming:
      group.title = fmt::format("Trim the prompts of {} {}", n, what);
      group.rationale =
          "Their input dwarfs their output: long instructions, whole histories or too many "
          "retrieved passages. The saving assumes 30% of the input can go.";
      break;
    case RecommendationKind::retries_and_fallback:
      group.title = fmt::format("Retries with backoff and a fallback for {} {}", n, what);
      group.rationale =
          "Their errors come in bursts: retries with backoff ride out the short ones, and another "
          "vendor's model answers while one is down.";
      break;
    case RecommendationKind::latency:
      group.title =
          fmt::format("Cut the slow tail of {} {}: timeout, streaming, a hedged retry", n, what);
      group.rationale =
          "Their slowest 1% of calls take many times their median: a timeout a little above "
          "the p95 with one retry cuts that tail, and streaming shows the first tokens long "
          "before the last.";
      break;
  }
}

}  // namespace

std::string_view to_string(RecommendationKind kind) {
  switch (kind) {
    case RecommendationKind::model_switch:
      return "model_switch";
    case RecommendationKind::caching:
      return "caching";
    case RecommendationKind::batching:
      return "batching";
    case RecommendationKind::prompt_trimming:
      return "prompt_trimming";
    case RecommendationKind::retries_and_fallback:
      return "retries_and_fallback";
    case RecommendationKind::latency:
      return "latency";
  }
  return "model_switch";
}

std::string_view to_string(TargetKind kind) {
  return kind == TargetKind::workload ? "workload" : "model";
}

std::optional<double> Recommendation::evidence_value(std::string_view name) const {
  for (const auto& e : evidence) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

std::vector<const Recommendation*> Recommendation::targets() const {
  std::vector<const Recommendation*> out;
  if (covers.empty()) {
    out.push_back(this);
  } else {
    for (const auto& r : covers) out.push_back(&r);
  }
  return out;
}

std::vector<Recommendation> merge_same_kind(std::vector<Recommendation> recommendations) {
  std::vector<Recommendation> out;
  for (auto& r : recommendations) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const Recommendation& o) { return o.kind == r.kind; });
    if (same == out.end()) {
      out.push_back(std::move(r));
      continue;
    }
    if (same->covers.empty()) {
      Recommendation group;
      group.kind = same->kind;
      group.target_kind = same->target_kind;
      group.covers.push_back(std::move(*same));
      *same = std::move(group);
    }
    same->covers.push_back(std::move(r));
  }
  for (auto& group : out) {
    if (group.covers.empty()) continue;
    std::stable_sort(group.covers.begin(), group.covers.end(),
                     [](const Recommendation& a, const Recommendation& b) {
                       if (a.monthly_saving_usd != b.monthly_saving_usd)
                         return a.monthly_saving_usd > b.monthly_saving_usd;
                       return a.target < b.target;
                     });
    std::vector<std::string> names;
    group.monthly_saving_usd = 0;
    for (const auto& r : group.covers) {
      group.monthly_saving_usd += r.monthly_saving_usd;
      if (std::find(names.begin(), names.end(), r.target) == names.end()) names.push_back(r.target);
    }
    group.target = fmt::format("{}", fmt::join(names, ", "));
    describe_group(group);
  }
  return out;
}

nlohmann::json to_json(const Evidence& evidence) {
  return {{"name", evidence.name}, {"value", evidence.value}, {"unit", evidence.unit}};
}

nlohmann::json to_json(const Recommendation& r) {
  nlohmann::json evidence = nlohmann::json::array();
  for (const auto& e : r.evidence) evidence.push_back(to_json(e));
  nlohmann::json out = {{"id", r.id},
                        {"kind", to_string(r.kind)},
                        {"target_kind", to_string(r.target_kind)},
                        {"target", r.target},
                        {"title", r.title},
                        {"rationale", r.rationale},
                        {"evidence", std::move(evidence)},
                        {"monthly_saving_usd", r.monthly_saving_usd}};
  if (!r.current_model.empty()) out["current_model"] = r.current_model;
  if (!r.suggested_model.empty()) out["suggested_model"] = r.suggested_model;
  if (!r.covers.empty()) {
    nlohmann::json covers = nlohmann::json::array();
    for (const auto& c : r.covers) covers.push_back(to_json(c));
    out["covers"] = std::move(covers);
  }
  return out;
}

}  // namespace netra::agents
