// Reading a request's target and constraints: the phrasings each rule takes, the words that only
// look like one (a p99 share, "I do not understand the latency"), and intent read without the
// constraint's words.
#include "agents/request_goals.hpp"

#include <gmock/gmock.h>

#include "agents/triage.hpp"

namespace netra::agents {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kNow = 1'718'452'800'000;  // 2024-06-15 12:00 UTC

TEST(RequestGoals, ASavingShareFromItsPhrasings) {
  for (const auto* text :
       {"How can I cut my LLM costs by 30%?", "cut costs 30 percent", "save 30 % on our bill",
        "I need it 30% cheaper", "reduce spend by 30 per cent"}) {
    const auto goals = read_goals(text);
    ASSERT_TRUE(goals.saving_share.has_value()) << text;
    EXPECT_DOUBLE_EQ(*goals.saving_share, 0.30) << text;
    EXPECT_FALSE(goals.has_constraints()) << text;
  }
  EXPECT_THAT(read_goals("How can I cut my LLM costs by 30%?").target_phrases,
              ElementsAre("cut my LLM costs by 30%"));
  // A share of something else is no saving target.
  for (const auto* text : {"our p99 went up 30% last week", "errors are at 5% on gemini",
                           "cache hit rate is 12 %", "what is 100% of my spend", "cut costs"}) {
    EXPECT_FALSE(read_goals(text).saving_share.has_value()) << text;
  }
}

TEST(RequestGoals, ABudgetOrASavingInDollarsAMonth) {
  auto goals = read_goals("Get us under $500 a month");
  ASSERT_TRUE(goals.monthly_budget_usd.has_value());
  EXPECT_DOUBLE_EQ(*goals.monthly_budget_usd, 500);
  EXPECT_THAT(goals.target_phrases, ElementsAre("under $500 a month"));
  EXPECT_DOUBLE_EQ(*read_goals("keep the bill below 1,500 dollars per month").monthly_budget_usd,
                   1500);
  EXPECT_DOUBLE_EQ(*read_goals("budget of $2k/month").monthly_budget_usd, 2000);
  goals = read_goals("we need to save $200 a month");
  EXPECT_FALSE(goals.monthly_budget_usd.has_value());
  EXPECT_DOUBLE_EQ(*goals.monthly_saving_usd, 200);
  // Dollars without a month are not a monthly target.
  EXPECT_FALSE(read_goals("We spent $4,000 last week").has_target());
  EXPECT_FALSE(read_goals("under $500").has_target());
}

TEST(RequestGoals, ALatencyLimitInSecondsOrMilliseconds) {
  auto goals = read_goals("cut costs but keep p99 under 2 s");
  ASSERT_TRUE(goals.latency_limit.has_value());
  EXPECT_EQ(goals.latency_limit->percentile, 99);
  EXPECT_DOUBLE_EQ(goals.latency_limit->max_ms, 2000);
  goals = read_goals("p95 below 1500ms please");
  EXPECT_EQ(goals.latency_limit->percentile, 95);
  EXPECT_DOUBLE_EQ(goals.latency_limit->max_ms, 1500);
  EXPECT_EQ(read_goals("p90 under 3 seconds").latency_limit->percentile, 95);  // kept: p95
  EXPECT_FALSE(read_goals("p99 under load is bad").latency_limit.has_value());
}

TEST(RequestGoals, KeepingLatencyOrQuality) {
  for (const auto* text : {"cut costs without hurting latency", "cheaper but no slower",
                           "save money, keep the latency", "don't make it slower",
                           "cut costs, latency must stay the same", "same latency please"}) {
    EXPECT_TRUE(read_goals(text).keep_latency) << text;
  }
  for (const auto* text : {"without hurting quality", "keep accuracy", "no worse answers"}) {
    EXPECT_TRUE(read_goals(text).keep_quality) << text;
  }
  for (const auto* text : {"I do not understand the latency", "why is latency high",
                           "no idea why it is slow", "how can we cut costs"}) {
    const auto goals = read_goals(text);
    EXPECT_FALSE(goals.keep_latency) << text;
    EXPECT_FALSE(goals.keep_quality) << text;
  }
}

TEST(RequestGoals, VendorsAndWorkloadsToLeaveAlone) {
  EXPECT_THAT(read_goals("cut costs, only OpenAI").only_vendors, ElementsAre("openai"));
  EXPECT_THAT(read_goals("stick to Anthropic and OpenAI models").only_vendors,
              ElementsAre("anthropic", "openai"));
  EXPECT_THAT(read_goals("Gemini only").only_vendors, ElementsAre("google"));
  EXPECT_THAT(read_goals("only for support-chat").only_vendors, IsEmpty());

  EXPECT_THAT(read_goals("leave support-chat alone").protected_workloads,
              ElementsAre("support-chat"));
  EXPECT_THAT(read_goals("don't touch `billing` or code-review").protected_workloads,
              ElementsAre("billing", "code-review"));
  EXPECT_THAT(read_goals("everything except the doc-summarizer workload").protected_workloads,
              ElementsAre("doc-summarizer"));
  // A plain word is no workload name: "leave it", "except when".
  EXPECT_THAT(read_goals("leave it as it is, except when it fails").protected_workloads, IsEmpty());
}

TEST(RequestGoals, TriageReadsTheIntentWithoutTheConstraintsWords) {
  // "latency" weighs more than "costs": read whole, this would be a latency question.
  auto t = triage("How can I lower my costs without hurting latency?", kNow);
  EXPECT_EQ(t.intent, Intent::cost);
  EXPECT_TRUE(t.goals.keep_latency);
  // A workload to leave alone is not the workload asked about.
  t = triage("cut costs but leave the support-chat workload alone", kNow);
  EXPECT_THAT(t.workloads, IsEmpty());
  EXPECT_THAT(t.goals.protected_workloads, ElementsAre("support-chat"));
  const auto json = to_json(t);
  EXPECT_EQ(json["goals"]["protected_workloads"][0], "support-chat");
}

}  // namespace
}  // namespace netra::agents
