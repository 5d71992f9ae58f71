// ActionPlan: the configuration changes that carry out each recommendation — which workload or
// model, which setting, from what to what — so a person (or a deploy script) can apply them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/recommendation.hpp"

namespace netra::agents {

// What the data cannot show (a client's timeout, its retry policy) is `from` = kUnknownSetting.
inline constexpr const char* kUnknownSetting = "unknown";

struct Action {
  std::string recommendation_id;
  TargetKind target_kind = TargetKind::workload;
  std::string target;   // workload id or model
  std::string setting;  // "model", "response_cache", "api_mode", "max_input_tokens",
                        // "retry_policy", "fallback_model", "request_timeout_ms", "streaming"
  std::string from;
  std::string to;
  std::string note;  // how to roll it out safely
};

// One or more actions per recommendation (per target of a merged one, under its id), in the
// recommendations' order.
std::vector<Action> plan_actions(const std::vector<Recommendation>& recommendations);

nlohmann::json to_json(const Action& action);

}  // namespace netra::agents
