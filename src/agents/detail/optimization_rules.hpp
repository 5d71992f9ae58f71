// The rules of the optimization step, one function each, over the data and the monthly factor;
// optimize() runs them all, then scopes, orders and totals what they find.
#pragma once

#include <vector>

#include "agents/optimization.hpp"

namespace netra::agents::detail {

struct RuleInput {
  const DataSnapshot& data;
  const OptimizationRules& rules;
  double monthly_factor = 0;  // window figures × this = a month's
  double observed_days = 0;   // the span the monthly factor rests on
};

// Cost rules (cost_rules.cpp).
std::vector<Recommendation> model_switch(const RuleInput& in);
std::vector<Recommendation> caching(const RuleInput& in);
std::vector<Recommendation> batching(const RuleInput& in);
std::vector<Recommendation> prompt_trimming(const RuleInput& in);

// Reliability and speed rules (reliability_rules.cpp).
std::vector<Recommendation> retries_and_fallback(const RuleInput& in);
std::vector<Recommendation> latency(const RuleInput& in);

}  // namespace netra::agents::detail
