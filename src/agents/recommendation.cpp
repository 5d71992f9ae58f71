#include "agents/recommendation.hpp"

namespace netra::agents {

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
  return out;
}

}  // namespace netra::agents
