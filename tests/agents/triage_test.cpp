// Triage by rules: many phrasings of each intent, the workloads a request names (and the words
// that only look like names), and the whole result for one request.
#include "agents/triage.hpp"

#include <gmock/gmock.h>

namespace netra::agents {
namespace {

constexpr int64_t kNow = 1'718'452'800'000;  // 2024-06-15 12:00 UTC

struct IntentCase {
  std::string text;
  Intent expected;
};

class ClassifyIntent : public ::testing::TestWithParam<IntentCase> {};

TEST_P(ClassifyIntent, ReadsTheIntent) {
  const auto& c = GetParam();
  EXPECT_EQ(to_string(triage(c.text, kNow).intent), to_string(c.expected)) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Phrasings, ClassifyIntent,
    ::testing::Values(
        IntentCase{"How can I cut my LLM costs?", Intent::cost},
        IntentCase{"Why is our OpenAI bill so high this month?", Intent::cost},
        IntentCase{"we are spending too much on AI", Intent::cost},
        IntentCase{"Where can we save money?", Intent::cost},
        IntentCase{"what drives our spend", Intent::cost},
        IntentCase{"Is this too expensive?", Intent::cost},
        IntentCase{"How do we stay within budget next quarter", Intent::cost},
        IntentCase{"We spent $4,000 last month, is that normal?", Intent::cost},
        IntentCase{"Why is the chatbot so slow?", Intent::latency},
        IntentCase{"p99 latency of the summarizer", Intent::latency},
        IntentCase{"our response times went up", Intent::latency},
        IntentCase{"How do we make answers faster", Intent::latency},
        IntentCase{"time to first token is bad", Intent::latency},
        IntentCase{"Why do so many requests fail?", Intent::reliability},
        IntentCase{"we keep hitting rate limits", Intent::reliability},
        IntentCase{"lots of 429s and timeouts yesterday", Intent::reliability},
        IntentCase{"Was there an outage last week?", Intent::reliability},
        IntentCase{"How reliable is Claude for us?", Intent::reliability},
        IntentCase{"error rate by workload", Intent::reliability},
        IntentCase{"Give me a usage report for last month", Intent::usage_report},
        IntentCase{"summarize our token consumption", Intent::usage_report},
        IntentCase{"breakdown by workload please", Intent::usage_report},
        IntentCase{"How many requests did we make in March?", Intent::usage_report},
        IntentCase{"show me the trends", Intent::usage_report},
        IntentCase{"Which model should we use for classification?", Intent::model_choice},
        IntentCase{"Should we switch from gpt-4o to gpt-4o-mini?", Intent::model_choice},
        IntentCase{"compare claude-3-5-sonnet and gpt-4o", Intent::model_choice},
        IntentCase{"gpt-4o vs claude 3.5 sonnet", Intent::model_choice},
        IntentCase{"Is there a cheaper model for the summarizer workload?", Intent::model_choice},
        IntentCase{"what's a good alternative to gpt-4-turbo", Intent::model_choice},
        IntentCase{"Hello!", Intent::general_question},
        IntentCase{"What can you do?", Intent::general_question},
        IntentCase{"", Intent::general_question}));

TEST(ClassifyIntentCues, NamesTheWordsThatDecided) {
  const auto r = triage("How can I cut my LLM costs and save money?", kNow);
  EXPECT_EQ(r.intent, Intent::cost);
  EXPECT_THAT(r.cues, ::testing::ElementsAre("costs", "save", "money", "cut"));
  EXPECT_EQ(parse_intent("model_choice"), Intent::model_choice);
  EXPECT_EQ(parse_intent("nonsense"), std::nullopt);
}

struct WorkloadCase {
  std::string text;
  std::vector<std::string> expected;
};

class WorkloadsInText : public ::testing::TestWithParam<WorkloadCase> {};

TEST_P(WorkloadsInText, FindsTheNamedWorkloads) {
  EXPECT_EQ(workloads_in_text(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Phrasings, WorkloadsInText,
    ::testing::Values(
        WorkloadCase{"costs of wl_4f9a2 last week", {"wl_4f9a2"}},
        WorkloadCase{"compare wl_chat-1 and wl_batch_2.", {"wl_chat-1", "wl_batch_2"}},
        WorkloadCase{"latency of workload support-bot", {"support-bot"}},
        WorkloadCase{"Workload: billing_v2?", {"billing_v2"}},
        WorkloadCase{"workload_id=search-42", {"search-42"}},
        WorkloadCase{"the workload named summarizer", {"summarizer"}},
        WorkloadCase{"a workload called classifier is slow", {"classifier"}},
        WorkloadCase{"workload `summarizer` costs", {"summarizer"}},
        WorkloadCase{"is workload 'classifier' failing", {"classifier"}},
        WorkloadCase{"the summarizer workload is slow", {"summarizer"}},
        WorkloadCase{"our `chat` workload", {"chat"}},
        WorkloadCase{"workloads support-bot and summarizer-2", {"support-bot", "summarizer-2"}},
        WorkloadCase{"wl_a, then workload wl_a again", {"wl_a"}},
        // Words beside "workload" that are not names.
        WorkloadCase{"which workload costs the most?", {}},
        WorkloadCase{"the most expensive workload", {}}, WorkloadCase{"the expensive workload", {}},
        WorkloadCase{"break it down by workload", {}}, WorkloadCase{"every workload on gpt-4o", {}},
        WorkloadCase{"workload gpt-4o-mini", {}}, WorkloadCase{"wl_ alone", {}}));

TEST(Triage, ReadsIntentWindowModelsAndWorkloads) {
  const auto r = triage(
      "Should the summarizer workload switch from GPT-4o to gpt-4o-mini? Look at the last 14 "
      "days.",
      kNow);
  EXPECT_EQ(r.intent, Intent::model_choice);
  EXPECT_EQ(r.models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
  EXPECT_EQ(r.workloads, (std::vector<std::string>{"summarizer"}));
  EXPECT_EQ(r.window.range.from_ms, kNow - 14 * kDayMs);
  EXPECT_EQ(r.window.range.to_ms, kNow);
  EXPECT_TRUE(r.window.stated);

  const auto json = to_json(r);
  EXPECT_EQ(json["intent"], "model_choice");
  EXPECT_EQ(json["window"]["label"], "last 14 days");
  EXPECT_EQ(json["window"]["from_ms"], kNow - 14 * kDayMs);
  EXPECT_EQ(json["models"][1], "gpt-4o-mini");
  EXPECT_EQ(json["workloads"][0], "summarizer");
  EXPECT_FALSE(json["window"].contains("note"));
}

}  // namespace
}  // namespace netra::agents
