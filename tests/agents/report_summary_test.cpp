// What a language model is given to phrase a report's summary (the figures of the report, written
// as the report writes them, and nothing the user typed), the check its reply must pass (no
// figure that is not among them), and a phrased summary in the report: it replaces the summary's
// sentences and nothing else.
#include "agents/report_summary.hpp"

#include <gmock/gmock.h>

#include "agents/markdown_format.hpp"
#include "core/trim.hpp"
#include "report_fixture.hpp"

namespace netra::agents {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace md = markdown;

class ReportSummaryTest : public ReportFixture {
 protected:
  static constexpr const char* kRequest = "How can I cut my LLM costs over the last 7 days?";
};

TEST_P(ReportSummaryTest, ThePromptHoldsTheReportsFiguresAndNotTheRequest) {
  insert(alice_, known::week());
  const auto report = report_for(kRequest);
  const auto prompt = summary_prompt(input());
  EXPECT_THAT(prompt.system, HasSubstr("Use only the facts"));
  EXPECT_THAT(prompt.system, HasSubstr("Copy every figure exactly"));

  const auto facts = json::parse(prompt.user);
  EXPECT_EQ(facts["question_kind"], "cost");
  EXPECT_EQ(facts["period"]["label"], "last 7 days");
  EXPECT_EQ(facts["period"]["from"], "2024-06-08 00:00 UTC");
  EXPECT_EQ(facts["period"]["to"], "2024-06-15 00:00 UTC");
  EXPECT_EQ(facts["calls"], "9,140");
  EXPECT_EQ(facts["spend_in_period"], md::money(optimization_.window_cost_usd));
  EXPECT_EQ(facts["spend_per_month_at_this_rate"], md::money(optimization_.monthly_spend_usd));
  EXPECT_EQ(facts["saving_per_month_if_all_applied"], md::money(optimization_.monthly_saving_usd));
  EXPECT_EQ(facts["recommendation_count"], 6);
  EXPECT_EQ(facts["action_count"], 8);
  ASSERT_EQ(facts["top_recommendations"].size(), 5u);
  EXPECT_EQ(facts["top_recommendations"][0]["id"], "R1");
  EXPECT_EQ(facts["top_recommendations"][0]["title"], "Trim the prompts of `rag-search`");
  EXPECT_EQ(facts["top_recommendations"][0]["saving_per_month"], md::money(known::trimming_rag()));
  EXPECT_EQ(facts["costliest_models"].size(), 3u);
  // Every figure is the report's own: the headline and the savings read the same in both.
  EXPECT_THAT(report, HasSubstr(facts["key_finding"].get<std::string>()));
  EXPECT_THAT(report, HasSubstr(facts["top_recommendations"][0]["saving_per_month"]));
  // Only computed facts leave the service: not the user's words.
  EXPECT_THAT(prompt.user, Not(HasSubstr("How can I cut")));
}

TEST_P(ReportSummaryTest, AReplyMayOnlyUseFiguresFromTheFacts) {
  const std::string facts =
      R"({"period":{"label":"last 7 days"},"calls":"9,140","saving":"$1,234.50","share":"94.0%"})";
  auto ok =
      checked_summary("Over the last 7 days, 9,140 calls; you could save $1,234.50 (94%).", facts);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok.value(), "Over the last 7 days, 9,140 calls; you could save $1,234.50 (94%).");
  EXPECT_TRUE(checked_summary("Save $1,234.5 a month.", facts)) << "the same figure";
  EXPECT_TRUE(checked_summary("No figures at all.", facts));

  auto rounded = checked_summary("You could save about $1,235 a month.", facts);
  ASSERT_FALSE(rounded);
  EXPECT_EQ(rounded.error().message, "the reply has figures that are not in the facts: 1235");
  auto invented = checked_summary("Save $1,234.50, or 40% of 8 workloads.", facts);
  ASSERT_FALSE(invented);
  EXPECT_THAT(invented.error().message, HasSubstr("40, 8"));
}

TEST_P(ReportSummaryTest, HeadingsInAReplyBecomePlainLines) {
  auto checked = checked_summary("## Summary\nSpend is fine.\n# Note\n##\nDone.", "{}");
  ASSERT_TRUE(checked) << checked.error().message;
  EXPECT_EQ(checked.value(), "Summary\nSpend is fine.\nNote\n\nDone.");
}

TEST_P(ReportSummaryTest, APhrasedSummaryReplacesOnlyTheSummarysSentences) {
  insert(alice_, known::week());
  const auto computed = report_for(kRequest);
  const PhrasedSummary phrased{"Over the last 7 days you spent what the tables show.",
                               "fake-model"};
  auto with = input();
  with.phrased = &phrased;
  const auto report = render_report(with);

  const auto findings = report.find("\n## Findings\n");
  ASSERT_NE(findings, std::string::npos);
  EXPECT_EQ(report.substr(findings), computed.substr(computed.find("\n## Findings\n")))
      << "findings, recommendations, actions and data are the computed ones";
  const auto summary = report.substr(0, findings);
  EXPECT_THAT(summary, HasSubstr("## Summary\n\nOver the last 7 days you spent what the tables "
                                 "show.\n\n_Summary phrased by `fake-model` from the figures "
                                 "below; the tables are computed._\n"));
  EXPECT_THAT(summary, Not(HasSubstr("could save about")));
  EXPECT_THAT(computed, HasSubstr("could save about"));
  EXPECT_THAT(report, StartsWith(computed.substr(0, computed.find("## Summary"))));
  EXPECT_THAT(report, StartsWith(phrased_summary_lead(with) + phrased.text + "\n"))
      << "what a run sends before the model writes is the report's own start";
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportSummaryTest, ::testing::ValuesIn(chat::backends()));

}  // namespace
}  // namespace netra::agents

namespace netra::agents {
namespace {

TEST(CheckedTitle, PlainTextOnOneShortLineOrNothing) {
  EXPECT_EQ(checked_title("\"**Trimming the LLM bill.**\""), "Trimming the LLM bill");
  EXPECT_EQ(checked_title("Title: Faster support-chat answers\nbecause..."),
            "Faster support-chat answers");
  EXPECT_EQ(checked_title("`gpt-4o` spend, last 30 days"), "gpt-4o spend, last 30 days");
  EXPECT_EQ(checked_title("ok"), std::nullopt);
  EXPECT_EQ(checked_title(""), std::nullopt);
  EXPECT_EQ(checked_title("one two three four five six seven eight nine ten eleven"), std::nullopt);
  EXPECT_EQ(checked_title(std::string(81, 'x')), std::nullopt);
  EXPECT_EQ(checked_title("bad \xff utf-8"), std::nullopt);
}

TEST(TitlePrompt, HoldsWhatTriageReadNotTheRequest) {
  const auto t =
      triage("How can I cut my gpt-4o costs? My secret project Zebra pays.", 1'718'452'800'000);
  const auto prompt = title_prompt(t, "Cut gpt-4o costs — last 30 days");
  EXPECT_EQ(prompt.user.find("Zebra"), std::string::npos);
  const auto facts = nlohmann::json::parse(prompt.user);
  EXPECT_EQ(facts["intent"], "cost");
  EXPECT_EQ(facts["models"][0], "gpt-4o");
  EXPECT_EQ(facts["plain_title"], "Cut gpt-4o costs — last 30 days");
}

}  // namespace
}  // namespace netra::agents

namespace netra::agents {
namespace {

// Fed in pieces of every size, the draft sends text once it is certain, never takes any back,
// and ends with exactly what checked_summary keeps of the whole reply.
TEST(SummaryDraft, SendsOnlyWhatTheWholeReplyKeeps) {
  const std::string reply =
      "\n  ## Summary\nOver the last 7 days, 9,140 calls.  \n#\n# Note: $12.34 \t\n\n";
  const std::string expected = "Summary\nOver the last 7 days, 9,140 calls.  \n\nNote: $12.34";
  const auto kept =
      checked_summary(std::string(core::trimmed(reply)), "[\"7\",\"9,140\",\"$12.34\"]");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept.value(), expected);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{7}, reply.size()}) {
    SummaryDraft draft;
    std::string sent;
    for (size_t at = 0; at < reply.size(); at += piece) {
      const auto fresh = draft.push(std::string_view(reply).substr(at, piece));
      sent += fresh;
      EXPECT_EQ(expected.substr(0, sent.size()), sent) << "sent text that was not certain";
    }
    EXPECT_EQ(sent, expected) << "in pieces of " << piece;
  }
}

}  // namespace
}  // namespace netra::agents
