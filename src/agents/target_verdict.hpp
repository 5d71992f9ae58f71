// TargetVerdict: whether the recommendations reach the saving a request asked for ("cut 30 %",
// "under $500 a month", "save $200 a month"), by how much, and what else would reach it — the
// changes its constraints left out, or the largest model switch the rules did not propose.
#pragma once

#include <optional>
#include <string>

#include "agents/data_step.hpp"
#include "agents/optimization.hpp"
#include "agents/request_goals.hpp"

namespace netra::agents {

// A change beyond the plan: moving one workload's calls on one model to that vendor's cheaper
// model, priced at list prices (the rules propose it only for short calls).
struct FurtherSwitch {
  std::string workload;
  std::string current_model;
  std::string cheaper_model;
  double monthly_saving_usd = 0;
  double avg_input_tokens = 0;
};

struct TargetVerdict {
  std::string asked;             // the words that set the target
  double monthly_spend_usd = 0;  // now, at this rate, of what the request is about
  double needed_usd = 0;         // the monthly saving that reaches the target
  double planned_usd = 0;        // what the recommendations save
  bool met = false;
  // With what the constraints left out: more than planned only when something was left out.
  double unconstrained_usd = 0;
  std::optional<FurtherSwitch> further;  // only when not met
  double with_further_usd = 0;           // the plan's saving with `further` taken too

  double planned_share() const {
    return monthly_spend_usd > 0 ? planned_usd / monthly_spend_usd : 0;
  }
};

// None without a target, or without an analysis to judge. A request about some workloads or
// models ("cut my gpt-4o costs by 30%") is judged against their spend, and looks for more among
// them only.
std::optional<TargetVerdict> judge_target(const OptimizationScope& scope,
                                          const OptimizationResult& optimization,
                                          const DataSnapshot& data);

nlohmann::json to_json(const TargetVerdict& verdict);

}  // namespace netra::agents
