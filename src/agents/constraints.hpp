// Constraints: the recommendations a request's constraints rule out ("without hurting latency",
// "p99 under 2 s", "without hurting quality", "only OpenAI", "leave support-chat alone"), each
// with the reason, from the user's own data where it speaks (a model switch is slower only if the
// calls to the proposed model are slower in the data).
#pragma once

#include <string>
#include <vector>

#include "agents/data_step.hpp"
#include "agents/recommendation.hpp"
#include "agents/request_goals.hpp"

namespace netra::agents {

struct ExcludedRecommendation {
  Recommendation recommendation;
  std::string reason;  // "gpt-4o-mini is slower at p99 in your data: 24,833 ms against 600 ms"
};

struct ConstrainedRecommendations {
  std::vector<Recommendation> kept;
  std::vector<ExcludedRecommendation> excluded;
};

// Why `r` would break the request's constraints; empty when it would not.
std::string constraint_breach(const Recommendation& r, const DataSnapshot& data,
                              const RequestGoals& goals);

ConstrainedRecommendations apply_constraints(std::vector<Recommendation> recommendations,
                                             const DataSnapshot& data, const RequestGoals& goals);

nlohmann::json to_json(const ExcludedRecommendation& excluded);

}  // namespace netra::agents
