// The actions each kind of recommendation turns into: the setting, and from what to what.
#include "agents/action_plan.hpp"

#include <gmock/gmock.h>

namespace netra::agents {
namespace {

Recommendation rec(std::string id, RecommendationKind kind, std::string target,
                   std::vector<Evidence> evidence = {}) {
  Recommendation r;
  r.id = std::move(id);
  r.kind = kind;
  r.target_kind =
      kind == RecommendationKind::retries_and_fallback || kind == RecommendationKind::latency
          ? TargetKind::model
          : TargetKind::workload;
  r.target = std::move(target);
  r.evidence = std::move(evidence);
  return r;
}

std::string line(const Action& a) {
  return a.recommendation_id + " " + a.target + " " + a.setting + ": " + a.from + " -> " + a.to;
}

TEST(PlanActions, EachRecommendationBecomesConcreteSettings) {
  auto switch_model = rec("R1", RecommendationKind::model_switch, "classifier");
  switch_model.current_model = "gpt-4o";
  switch_model.suggested_model = "gpt-4o-mini";
  auto retries = rec("R5", RecommendationKind::retries_and_fallback, "gemini-1.5-pro");
  retries.suggested_model = "gpt-4o";
  const std::vector<Recommendation> recs = {
      switch_model,
      rec("R2", RecommendationKind::caching, "faq-bot",
          {{"repeated_calls", 400, "requests"}, {"already_cached", 0, "requests"}}),
      rec("R3", RecommendationKind::caching, "docs",
          {{"repeated_calls", 400, "requests"}, {"already_cached", 40, "requests"}}),
      rec("R4", RecommendationKind::batching, "tagger"),
      retries,
      rec("R6", RecommendationKind::prompt_trimming, "rag-search",
          {{"avg_input_tokens", 6000, "tokens"}, {"target_input_tokens", 4200, "tokens"}}),
      rec("R7", RecommendationKind::latency, "gpt-4o-mini", {{"suggested_timeout", 1000, "ms"}}),
  };
  const auto actions = plan_actions(recs);
  std::vector<std::string> lines;
  for (const auto& a : actions) lines.push_back(line(a));
  EXPECT_THAT(
      lines,
      ::testing::ElementsAre(
          "R1 classifier model: gpt-4o -> gpt-4o-mini",
          "R2 faq-bot response_cache: off -> on, keyed by model and prompt hash, 24 h time to live",
          "R3 docs response_cache: 40 of 400 repeated calls cached -> on, keyed by model and "
          "prompt hash, 24 h time to live",
          "R4 tagger api_mode: synchronous -> batch (24 h completion window)",
          "R5 gemini-1.5-pro retry_policy: unknown -> 3 attempts on 429, 5xx and timeouts; "
          "exponential backoff from 1 s to 30 s, full jitter",
          "R5 gemini-1.5-pro fallback_model: unknown -> gpt-4o",
          "R6 rag-search max_input_tokens: 6000 on average -> 4200",
          "R7 gpt-4o-mini request_timeout_ms: unknown -> 1000",
          "R7 gpt-4o-mini streaming: unknown -> on"));
  for (const auto& a : actions) EXPECT_FALSE(a.note.empty()) << line(a);
  const auto json = to_json(actions[0]);
  EXPECT_EQ(json["target_kind"], "workload");
  EXPECT_EQ(json["setting"], "model");
  EXPECT_EQ(json["to"], "gpt-4o-mini");
  EXPECT_EQ(to_json(actions[4])["target_kind"], "model");
}

TEST(PlanActions, NoRecommendationsNoActions) {
  EXPECT_TRUE(plan_actions({}).empty());
}

TEST(MergeSameKind, SeveralOfAKindBecomeOneThatCoversThemWithOneActionEach) {
  auto slow = [](std::string model, double timeout) {
    return rec("", RecommendationKind::latency, std::move(model),
               {{"suggested_timeout", timeout, "ms"}});
  };
  auto cache = rec("", RecommendationKind::caching, "faq-bot");
  cache.monthly_saving_usd = 5;
  auto merged = merge_same_kind(
      {slow("gpt-4o", 2000), cache, slow("claude-3-5-sonnet", 3000), slow("gemini-1.5-pro", 4000)});
  ASSERT_EQ(merged.size(), 2u);
  const auto& group = merged[0];
  EXPECT_EQ(group.kind, RecommendationKind::latency);
  EXPECT_EQ(group.title, "Cut the slow tail of 3 models: timeout, streaming, a hedged retry");
  // No saving: ordered by name.
  EXPECT_EQ(group.target, "claude-3-5-sonnet, gemini-1.5-pro, gpt-4o");
  ASSERT_EQ(group.covers.size(), 3u);
  EXPECT_EQ(group.targets().size(), 3u);
  EXPECT_TRUE(merged[1].covers.empty()) << "a kind found once stays as it is";
  EXPECT_EQ(merged[1].targets().size(), 1u);
  EXPECT_EQ(to_json(group)["covers"].size(), 3u);

  merged[0].id = "R1";
  for (auto& c : merged[0].covers) c.id = "R1";
  merged[1].id = "R2";
  std::vector<std::string> lines;
  for (const auto& a : plan_actions(merged)) lines.push_back(line(a));
  EXPECT_THAT(lines, ::testing::ElementsAre(
                         "R1 claude-3-5-sonnet request_timeout_ms: unknown -> 3000",
                         "R1 claude-3-5-sonnet streaming: unknown -> on",
                         "R1 gemini-1.5-pro request_timeout_ms: unknown -> 4000",
                         "R1 gemini-1.5-pro streaming: unknown -> on",
                         "R1 gpt-4o request_timeout_ms: unknown -> 2000",
                         "R1 gpt-4o streaming: unknown -> on",
                         "R2 faq-bot response_cache: off -> on, keyed by model and prompt hash, "
                         "24 h time to live"));
}

}  // namespace
}  // namespace netra::agents
