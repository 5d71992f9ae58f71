// Recommendation: one change the optimization step proposes — what to change and where, why,
// the numbers it rests on, and what it would save in a month.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::agents {

enum class RecommendationKind {
  model_switch,          // a cheaper model for short, simple requests
  caching,               // answer repeated prompts from a cache
  batching,              // a vendor's batch API for many small requests
  prompt_trimming,       // fewer input tokens where input dwarfs output
  retries_and_fallback,  // retries with backoff and another vendor's model where errors cluster
  latency,               // timeouts, streaming and hedging where p99 is far above p50
};
std::string_view to_string(RecommendationKind kind);

enum class TargetKind { workload, model };
std::string_view to_string(TargetKind kind);

// One number a recommendation rests on. `unit` says how to read it: "requests", "tokens", "ms",
// "usd", "usd_per_mtok", "share" (0–1), "count" or "" (a plain number).
struct Evidence {
  std::string name;  // "avg_input_tokens"
  double value = 0;
  std::string unit;
};

struct Recommendation {
  std::string id;  // "R1", "R2"… in the order of the list
  RecommendationKind kind = RecommendationKind::model_switch;
  TargetKind target_kind = TargetKind::workload;
  std::string target;  // the workload id or the model
  std::string title;
  std::string rationale;
  std::vector<Evidence> evidence;
  double monthly_saving_usd = 0;  // 0 where the gain is reliability or speed, not money
  // model_switch: the model now and the one proposed; retries_and_fallback: the failing model
  // and its fallback.
  std::string current_model;
  std::string suggested_model;
  // A recommendation of one kind for several targets ("cut the slow tail of 6 models"): each
  // target's own recommendation, with the parent's id. Empty for a single target. The parent's
  // saving is theirs summed; its target names them all.
  std::vector<Recommendation> covers;

  std::optional<double> evidence_value(std::string_view name) const;
  // The single-target recommendations this one stands for: itself, or what it covers.
  std::vector<const Recommendation*> targets() const;
};

// One recommendation per kind: two or more of a kind become one that covers them (largest saving
// first), titled for the group; a kind found once stays as it is. Order of first appearance.
std::vector<Recommendation> merge_same_kind(std::vector<Recommendation> recommendations);

nlohmann::json to_json(const Evidence& evidence);
nlohmann::json to_json(const Recommendation& recommendation);

}  // namespace netra::agents
