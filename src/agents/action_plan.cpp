#include "agents/action_plan.hpp"

#include <fmt/format.h>

namespace netra::agents {
namespace {

Action action_for(const Recommendation& r, std::string setting, std::string from, std::string to,
                  std::string note) {
  return Action{r.id,          r.target_kind,  r.target, std::move(setting), std::move(from),
                std::move(to), std::move(note)};
}

double value_or(const Recommendation& r, std::string_view name, double fallback) {
  return r.evidence_value(name).value_or(fallback);
}

}  // namespace

std::vector<Action> plan_actions(const std::vector<Recommendation>& recommendations) {
  std::vector<Action> out;
  std::vector<const Recommendation*> each;  // a merged recommendation's actions are its targets'
  for (const auto& group : recommendations) {
    for (const auto* r : group.targets()) each.push_back(r);
  }
  for (const auto* target : each) {
    const auto& r = *target;
    switch (r.kind) {
      case RecommendationKind::model_switch:
        out.push_back(action_for(r, "model", r.current_model, r.suggested_model,
                                 "send 10% of the traffic first and compare the answers"));
        break;
      case RecommendationKind::caching: {
        const double cached = value_or(r, "already_cached", 0);
        const double repeated = value_or(r, "repeated_calls", 0);
        const std::string from =
            cached == 0 ? "off"
                        : fmt::format("{:.0f} of {:.0f} repeated calls cached", cached, repeated);
        out.push_back(action_for(r, "response_cache", from,
                                 "on, keyed by model and prompt hash, 24 h time to live",
                                 "skip the cache for prompts that depend on the time or the user"));
        break;
      }
      case RecommendationKind::batching:
        out.push_back(action_for(r, "api_mode", "synchronous", "batch (24 h completion window)",
                                 "only the calls whose answers can wait"));
        break;
      case RecommendationKind::prompt_trimming:
        out.push_back(
            action_for(r, "max_input_tokens",
                       fmt::format("{:.0f} on average", value_or(r, "avg_input_tokens", 0)),
                       fmt::format("{:.0f}", value_or(r, "target_input_tokens", 0)),
                       "shorten the instructions, summarise the history, retrieve fewer passages"));
        break;
      case RecommendationKind::retries_and_fallback:
        out.push_back(action_for(r, "retry_policy", kUnknownSetting,
                                 "3 attempts on 429, 5xx and timeouts; exponential backoff from 1 "
                                 "s to 30 s, full jitter",
                                 "retry only idempotent calls"));
        out.push_back(action_for(r, "fallback_model", kUnknownSetting,
                                 r.suggested_model.empty()
                                     ? "another vendor's model of like quality"
                                     : r.suggested_model,
                                 "after the retries fail, or while the circuit is open"));
        break;
      case RecommendationKind::latency:
        out.push_back(action_for(r, "request_timeout_ms", kUnknownSetting,
                                 fmt::format("{:.0f}", value_or(r, "suggested_timeout", 0)),
                                 "then one retry, to the same or a fallback model"));
        out.push_back(action_for(r, "streaming", kUnknownSetting, "on",
                                 "users see the first tokens long before the last"));
        break;
    }
  }
  return out;
}

nlohmann::json to_json(const Action& action) {
  return {{"recommendation_id", action.recommendation_id},
          {"target_kind", to_string(action.target_kind)},
          {"target", action.target},
          {"setting", action.setting},
          {"from", action.from},
          {"to", action.to},
          {"note", action.note}};
}

}  // namespace netra::agents
