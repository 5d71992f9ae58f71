// Optimization: recommendations computed from a run's data — a cheaper model, caching, batching,
// trimming prompts, retries and fallbacks, latency measures — each with its evidence and an
// estimated monthly saving. Deterministic: the same data gives the same list.
#pragma once

#include <string>
#include <vector>

#include "agents/constraints.hpp"
#include "agents/data_step.hpp"
#include "agents/recommendation.hpp"
#include "agents/request_goals.hpp"

namespace netra::agents {

// The thresholds each rule applies, with the assumptions its saving rests on.
struct OptimizationRules {
  // Every workload or model rule: fewer calls than this in the window say too little.
  double min_requests = 50;
  // A recommendation that saves money must save at least this much a month to be listed.
  double min_monthly_saving_usd = 1.0;
  // model_switch: "short and simple" — averages at most these.
  double short_input_tokens = 1'000;
  double short_output_tokens = 300;
  // caching: avoidable repeats (calls of a repeated prompt beyond its first, not already served
  // from cache) must be at least this many and this share of the workload's calls.
  double min_avoidable_repeats = 10;
  double min_repeat_share = 0.05;
  // batching: this many calls a day or more, each this small or smaller on average, with a
  // vendor whose batch API halves the price (OpenAI, Anthropic, Google).
  double batch_min_requests_per_day = 1'000;
  double batch_max_tokens_per_request = 1'500;
  double batch_discount = 0.5;
  // prompt_trimming: average input at least this, and input/output at least this ratio; the
  // saving assumes this share of the input tokens can go (instructions, history, retrieval).
  double trim_min_input_tokens = 2'000;
  double trim_min_input_output_ratio = 10;
  double trim_share = 0.3;
  // retries_and_fallback: at least this many errors, and at least this share of them in burst
  // buckets — buckets with at least burst_min_errors errors at a rate of at least
  // max(burst_min_rate, burst_rate_factor × the window's error rate).
  double min_errors = 10;
  double burst_error_share = 0.5;
  double burst_min_errors = 3;
  double burst_min_rate = 0.2;
  double burst_rate_factor = 3;
  // latency: p99 at least this multiple of p50, and at least this many ms above it.
  double latency_p99_over_p50 = 4;
  double latency_min_gap_ms = 1'000;
};

// What the request asked about; empty lists leave the whole data in scope. Its constraints
// leave out what would break them (see constraints.hpp).
struct OptimizationScope {
  std::vector<std::string> workloads;
  std::vector<std::string> models;  // canonical catalog names
  RequestGoals goals;
};

// A report lists at most this many recommendations (the largest savings): enough to act on, and
// the report fits a chat message (32 KiB). Recommendations of one kind are one (merge_same_kind).
inline constexpr size_t kMaxRecommendations = 10;

struct OptimizationResult {
  std::vector<Recommendation> recommendations;  // largest saving first, at most 10
  // What the request's constraints left out, with why; largest saving first.
  std::vector<ExcludedRecommendation> excluded;
  double window_cost_usd = 0;
  // Observed spend scaled to 30 days over the span the data covers: from the first event's
  // timeline bucket to the end of the window, at least a day.
  double monthly_factor = 0;
  double monthly_spend_usd = 0;
  // Savings do not simply add up where several touch one workload: per workload they combine
  // as cost × (1 − Π(1 − saving_i / cost)), then add across workloads.
  double monthly_saving_usd = 0;
  // The same with what the constraints left out taken too: what relaxing them would reach.
  double monthly_saving_unconstrained_usd = 0;
  bool analysed = false;  // false: the data was not sufficient, nothing was computed
};

// What `recommendations` save a month together: per workload they combine as
// cost × (1 − Π(1 − saving_i / cost)), then add across workloads.
double combined_monthly_saving(const std::vector<Recommendation>& recommendations,
                               const DataSnapshot& data, double monthly_factor);

// The scope that applies: names the data has never seen do not narrow it (the data step notes
// them), so a request about a missing workload still gets advice on the rest.
OptimizationScope effective_scope(const DataSnapshot& data, const OptimizationScope& asked);

// 30 days over the observed span (see OptimizationResult::monthly_factor); 0 without data.
double monthly_factor(const DataSnapshot& data);

OptimizationResult optimize(const DataSnapshot& data, const OptimizationScope& scope,
                            const OptimizationRules& rules = {});

nlohmann::json to_json(const OptimizationResult& result);

}  // namespace netra::agents
