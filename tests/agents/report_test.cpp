// The Markdown report: its sections in order, the recommendations with their savings (formatted
// from the independently computed values) and evidence, the actions, the data's source and
// completeness — and, with too little data, no figures but what to send.
#include "agents/report.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>

#include "agents/markdown_format.hpp"
#include "agents/triage.hpp"
#include "report_fixture.hpp"

namespace netra::agents {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportTest : public ReportFixture {};

size_t position(const std::string& text, const std::string& part) {
  const auto at = text.find(part);
  EXPECT_NE(at, std::string::npos) << "missing: " << part;
  return at;
}

TEST_P(ReportTest, AFullReportFromAKnownWeek) {
  insert(alice_, known::week());
  const std::string request = "How can I cut my LLM costs over the last 7 days?";
  const auto report = report_for(request);
  const auto& data = data_;

  // The sections, in order.
  const size_t title = position(report, "# How to cut your LLM spend\n\n> " + request);
  const size_t summary = position(report, "\n## Summary\n");
  const size_t findings = position(report, "\n## Findings\n");
  const size_t recs = position(report, "\n## Recommendations\n");
  const size_t actions = position(report, "\n## Actions\n");
  const size_t data_at = position(report, "\n## Data\n");
  EXPECT_LT(title, summary);
  EXPECT_LT(summary, findings);
  EXPECT_LT(findings, recs);
  EXPECT_LT(recs, actions);
  EXPECT_LT(actions, data_at);

  const auto usd = [](double x) { return fmt::format("${:.2f}", x); };
  const double total = known::trimming_rag() + known::caching_faq() + known::switch_classifier() +
                       known::batching_tagger();
  EXPECT_THAT(report, HasSubstr("could save about **" + usd(total) + " a month**"));
  EXPECT_THAT(report, HasSubstr("### R1. Trim the prompts of `rag-search` — about " +
                                usd(known::trimming_rag()) + " a month"));
  EXPECT_THAT(report, HasSubstr("### R2. Cache the answers of `faq-bot` by prompt hash — about " +
                                usd(known::caching_faq()) + " a month"));
  EXPECT_THAT(report, HasSubstr("### R3. Move `classifier` from gpt-4o to gpt-4o-mini — about " +
                                usd(known::switch_classifier()) + " a month"));
  EXPECT_THAT(report, HasSubstr("### R4. Send `tagger` through openai's batch API where answers "
                                "can wait — about " +
                                usd(known::batching_tagger()) + " a month"));
  EXPECT_THAT(report, HasSubstr("### R5. Retry `gemini-1.5-pro` with backoff, and fall back to "
                                "gpt-4o — fewer failed calls"));
  EXPECT_THAT(report, HasSubstr("### R6. Cut the slow tail of `gpt-4o-mini`"));
  EXPECT_THAT(report, HasSubstr("— faster answers"));
  // Evidence, in the units it was given.
  EXPECT_THAT(report, HasSubstr("avg input tokens: 400 · avg output tokens: 20"));
  EXPECT_THAT(report, HasSubstr("current input price: $2.5/M tokens"));
  EXPECT_THAT(report, HasSubstr("avoidable calls: 380"));
  EXPECT_THAT(report, HasSubstr("latency p99: 5,000 ms"));
  EXPECT_THAT(report, HasSubstr("Each call sends 6,000 tokens to get 150 back"));
  EXPECT_THAT(report, HasSubstr("worst bucket start: 2024-06-11 1"));
  // Tables.
  EXPECT_THAT(report, HasSubstr("| `tagger` | 7,000 | 7,000,000 | 700,000 |"));
  EXPECT_THAT(report, HasSubstr("| `gpt-4o-mini` | 7,000 |"));
  EXPECT_THAT(report, HasSubstr("| R3 | workload `classifier` | `model` | gpt-4o | gpt-4o-mini |"));
  EXPECT_THAT(report, HasSubstr("| R6 | model `gpt-4o-mini` | `request_timeout_ms` | unknown | "
                                "1000 |"));
  // Where the data came from, and how complete.
  EXPECT_THAT(report, HasSubstr("- Source: the embedded analytics store"));
  EXPECT_THAT(report, HasSubstr("- Period: last 7 days — 2024-06-08 00:00 UTC to 2024-06-15 "
                                "00:00 UTC."));
  EXPECT_THAT(report, HasSubstr("- 9,140 calls on 7 of the 7 days in the period."));
  EXPECT_THAT(report, HasSubstr("- Fields filled (every call): model 100.0%"));
  EXPECT_THAT(report,
              HasSubstr("- Completeness: " + markdown::plain(data.completeness.score) + " of 1."));
  EXPECT_THAT(report, Not(HasSubstr("not enough data")));

  // The same input, the same text.
  EXPECT_EQ(render_report(with_findings({request, triage_, data, optimization_, actions_})),
            report);
}

TEST_P(ReportTest, TheHeadlineAnswersTheQuestionAsked) {
  insert(alice_, known::week());
  const auto slow = report_for("why is everything so slow this week?");
  EXPECT_THAT(slow, HasSubstr("# Latency of your LLM calls"));
  EXPECT_THAT(slow, HasSubstr("The slowest model is `gpt-4o-mini`: half of its calls finish "
                              "within 300 ms, 1% take 5,000 ms or more."));
  EXPECT_THAT(report_for("are we failing a lot?"),
              HasSubstr("45 of 9,140 calls failed (0.5%). The errors come in bursts"));
  EXPECT_THAT(report_for("give me a usage report"),
              HasSubstr("Most of the spend goes to `gpt-4-turbo`"));
  // A request about one workload: its recommendation only.
  const auto scoped = report_for("what about workload classifier-x or the classifier workload?");
  EXPECT_THAT(scoped, HasSubstr("### R1. Move `classifier`"));
  EXPECT_THAT(scoped, Not(HasSubstr("### R2.")));
  EXPECT_THAT(scoped, HasSubstr("- Note: no events for workload `classifier-x` in this window."));
}

TEST_P(ReportTest, TooLittleDataSaysSoAndWhatToSend) {
  std::vector<analytics::WorkloadEvent> few;
  for (int i = 0; i < 30; ++i) {
    few.push_back(call(known::kFrom + i * known::kHour, "chat", "gpt-4o", 500, 100, 900, 0.0022));
  }
  insert(alice_, few);
  const auto report = report_for("How can I cut my LLM costs in the last 7 days?");
  EXPECT_THAT(report, HasSubstr("There is not enough data to answer this yet: there are only 30 "
                                "workload events in this window; an analysis needs at least 100."));
  EXPECT_THAT(report, HasSubstr("## What to send"));
  EXPECT_THAT(report, HasSubstr("POST /api/workloads/events"));
  EXPECT_THAT(report, HasSubstr("| `prompt_hash` |"));
  EXPECT_THAT(report, HasSubstr("- 30 calls on 2 of the 7 days in the period."));
  EXPECT_THAT(report, Not(HasSubstr("## Recommendations")));
  EXPECT_THAT(report, Not(HasSubstr("## Findings")));
  EXPECT_THAT(report, Not(HasSubstr("a month")));
}

// --- answers that meet the request -----------------------------------------------------------

TEST_P(ReportTest, AWorkloadNamedWithoutTheWordIsAnsweredAboutFirst) {
  insert(alice_, known::week());
  const auto report = report_for("Why is tagger so slow at p99 over the last 7 days?");
  EXPECT_THAT(triage_.workloads, ::testing::ElementsAre("tagger"));
  // 3% of the tagger's calls take 5,000 ms, the rest 300 ms.
  EXPECT_THAT(report, HasSubstr("- `tagger`: half of its calls finish within 300 ms, 1% take "
                                "5,000 ms or more"));
  EXPECT_THAT(report, HasSubstr("Its calls go to `gpt-4o-mini` (100.0% of its calls"));
  EXPECT_LT(position(report, "### `tagger`"), position(report, "### By model"));
}

TEST_P(ReportTest, AModelSwitchWhatIfIsComputedAtListPricesWithTheUsersOwnLatency) {
  insert(alice_, known::week());
  const auto report = report_for("Should I switch classifier to gpt-4o-mini? Last 7 days.");
  const auto usd = [](double x) { return fmt::format("${:.2f}", x); };
  const double before = 700 * known::kClassifierCall * known::kMonth;
  const double after = 700 * known::kClassifierOnMini * known::kMonth;
  EXPECT_THAT(report, HasSubstr("- Switching `classifier` to `gpt-4o-mini` would cost about **" +
                                usd(after) + " a month** instead of " + usd(before) +
                                " at list prices: " + usd(before - after) +
                                " (94.0%) less. In "
                                "your data `gpt-4o-mini` answered 7,000 calls with p99 5,000 ms "
                                "and 0.0% errors, against p99 600 ms and 0.7% errors for "
                                "`gpt-4o`."));
  EXPECT_THAT(report, HasSubstr("\n## What if\n"));
  // A model with no call in the data: the cost, and that its latency is unknown here.
  const auto haiku = report_for("Should I switch classifier to claude-3-haiku? Last 7 days.");
  const double on_haiku = 700 * (400 * 0.25 + 20 * 1.25) / 1e6 * known::kMonth;
  EXPECT_THAT(haiku, HasSubstr("would cost about **" + usd(on_haiku) + " a month** instead of " +
                               usd(before)));
  EXPECT_THAT(haiku, HasSubstr("Your data has no calls to `claude-3-haiku`"));
}

TEST_P(ReportTest, ACachingWhatIfGivesTheRulesEstimateForThatWorkload) {
  insert(alice_, known::week());
  const auto report = report_for("what if we cached faq-bot? last 7 days");
  const double spend = 700 * known::kFaqCall * known::kMonth;
  EXPECT_THAT(report, HasSubstr(fmt::format(
                          "- Cache the answers of `faq-bot` by prompt hash: about **${:.2f} "
                          "a month** ({:.1f}% of its spend).",
                          known::caching_faq(), 100 * known::caching_faq() / spend)));
  // The classifier repeats no prompt: nothing to save, said so.
  EXPECT_THAT(report_for("what if we cached classifier? last 7 days"),
              HasSubstr("- A cache for `classifier` would save nothing: none of its calls "
                        "repeated a prompt."));
}

TEST_P(ReportTest, AQuestionOutsideWhatTheAgentDoesGetsNoFigures) {
  insert(alice_, known::week());
  report_for("what's the weather in Lisbon tomorrow?");
  ASSERT_TRUE(off_topic(triage_, request_));
  const auto answer = render_off_topic(request_, data_);
  EXPECT_THAT(answer, HasSubstr("This request is outside that, so there are no figures here."));
  EXPECT_THAT(answer, Not(HasSubstr("$")));
  EXPECT_THAT(answer, HasSubstr("- Why is `rag-search` slow at p99?"));  // the costliest
  for (const auto* on_topic : {"tell me about tagger", "how are my models doing",
                               "cut costs by 10%", "hello, what can my LLM calls improve?"}) {
    report_for(on_topic);
    EXPECT_FALSE(off_topic(triage_, request_)) << on_topic;
  }
}

TEST_P(ReportTest, TheTargetAndTheConstraintsAreInTheSummaryAndTheLeftOutListed) {
  insert(alice_, known::week());
  const auto report = report_for("cut costs by 32% without hurting latency over the last 7 days");
  EXPECT_THAT(report, HasSubstr("- Target “cut costs by 32%”: **not met**"));
  EXPECT_THAT(report, HasSubstr("which reaches the target"));
  EXPECT_THAT(report, HasSubstr("- Constraints: no slower answers. 2 recommendation(s) left out "
                                "for them (see below)."));
  EXPECT_THAT(report, HasSubstr("### Left out for your constraints\n\n- Move `classifier` from "
                                "gpt-4o to gpt-4o-mini (about"));
}

TEST_P(ReportTest, AFollowUpKeepsWhatItDoesNotChangeAndSaysWhatChanged) {
  insert(alice_, known::week());
  report_for("cut my costs by 30% over the last 7 days without hurting latency");
  const auto first = context();
  EXPECT_EQ(first.window.label, "last 7 days");
  EXPECT_TRUE(first.goals.keep_latency);

  // "and only for faq-bot?": the period, question and goals carry, the workload is new.
  auto report = report_for("and only for faq-bot?", first);
  EXPECT_EQ(triage_.window.range.from_ms, first.window.range.from_ms);
  EXPECT_EQ(triage_.intent, Intent::cost);
  EXPECT_THAT(triage_.workloads, ::testing::ElementsAre("faq-bot"));
  EXPECT_TRUE(triage_.goals.keep_latency);
  EXPECT_THAT(report, HasSubstr("- A follow-up: from the previous report in this thread, the "
                                "period (last 7 days), the question (cost), the goals (“cut my "
                                "costs by 30%”, “without hurting latency”)."));
  EXPECT_THAT(report, HasSubstr("- `faq-bot` cost "));
  // The target is judged against faq-bot's spend now: caching saves 380 of its 700 calls' cost.
  EXPECT_THAT(report, HasSubstr("- Target “cut my costs by 30%”: **met**"));
  EXPECT_THAT(report, HasSubstr("\n## Since the previous report\n\nThe same period (last 7 days)"));

  // "what about the last 3 days?": a new period; the workloads of the first report (none) stay.
  report = report_for("what about the last 3 days?", first);
  EXPECT_EQ(triage_.window.label, "last 3 days");
  EXPECT_EQ(triage_.intent, Intent::cost);
  EXPECT_THAT(triage_.workloads, ::testing::IsEmpty());
  EXPECT_THAT(report, HasSubstr("The previous report covered last 7 days; this one covers last "
                                "3 days."));
  // Each model a month at each period's rate: the week is even, so gpt-4o's month is the same.
  const auto usd = [](double x) { return fmt::format("${:.2f}", x); };
  const double classifier_month = 700 * known::kClassifierCall * known::kMonth;
  EXPECT_THAT(report, HasSubstr("| `gpt-4o` | " + usd(classifier_month) + " |"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportTest, ::testing::ValuesIn(chat::backends()));

TEST(FitReport, CutsAtALineToFitAMessageAndSaysSo) {
  const std::string report = "# Title\n\nline one\nline two\nline three\n";
  EXPECT_EQ(fit_report(report, 1000), report);
  const auto cut = fit_report(report + std::string(200, 'x') + "\n", 150);
  EXPECT_LE(cut.size(), 150u);
  EXPECT_EQ(cut.rfind("# Title\n\nline one\n", 0), 0u);
  EXPECT_THAT(cut, HasSubstr("the report was shortened to fit a message"));
  EXPECT_EQ(cut.find("xxx"), std::string::npos);
}

TEST(ReportSections, CutBeforeEachLevelTwoHeadingAndJoinBackToTheReport) {
  const std::string report =
      "# Title\n\n> asked\n## Summary\n\ntext\n\n## Findings\n\n### By model\n\nrows\n## Data\n";
  const auto sections = report_sections(report);
  EXPECT_THAT(sections,
              ::testing::ElementsAre("# Title\n\n> asked\n", "## Summary\n\ntext\n\n",
                                     "## Findings\n\n### By model\n\nrows\n", "## Data\n"));
  std::string joined;
  for (const auto& s : sections) joined += s;
  EXPECT_EQ(joined, report);
  EXPECT_TRUE(report_sections("").empty());
  EXPECT_THAT(report_sections("no headings"), ::testing::ElementsAre("no headings"));
}

TEST(ThreadTitle, SaysWhatWasAskedAboutWhatAndOverWhichPeriod) {
  const int64_t now = 1'780'000'000'000;
  auto title = [&](const char* request) { return thread_title(triage(request, now)); };
  EXPECT_EQ(title("How can I cut my gpt-4o costs over the last 30 days?"),
            "Cut gpt-4o costs — last 30 days");
  EXPECT_EQ(title("Why is the support-chat workload so slow at p99 last week?")
                .rfind("Speed up support-chat calls — ", 0),
            0u);
  EXPECT_EQ(title("How can I cut my LLM costs?"), "Cut LLM costs — last 30 days");
  EXPECT_EQ(title("Compare gpt-4o and claude-3-5-haiku for the last 7 days"),
            "Choose a model for gpt-4o and claude-3-5-haiku — last 7 days");
  // A long name is cut at a character, and the title fits a thread's.
  TriageResult named;
  named.intent = Intent::cost;
  // "Cut " and 175 characters: the 180-byte cut falls inside the é, which goes whole.
  named.workloads = {std::string(175, 'w') + "é" + std::string(100, 'w')};
  named.window.label = "last 7 days";
  const auto long_name = thread_title(named);
  EXPECT_LE(long_name.size(), 200u);
  EXPECT_EQ(long_name.rfind("Cut www", 0), 0u);
  EXPECT_EQ(long_name, "Cut " + std::string(175, 'w') + "…");
}

TEST(MarkdownFormat, NumbersMoneySharesTimesAndNames) {
  EXPECT_EQ(markdown::count(9140), "9,140");
  EXPECT_EQ(markdown::count(1234567.4), "1,234,567");
  EXPECT_EQ(markdown::count(999), "999");
  EXPECT_EQ(markdown::count(-1234), "-1,234");
  EXPECT_EQ(markdown::money(1234.567), "$1,234.57");
  EXPECT_EQ(markdown::money(0.001), "<$0.01");
  EXPECT_EQ(markdown::money(0), "$0.00");
  EXPECT_EQ(markdown::percent(0.9402), "94.0%");
  EXPECT_EQ(markdown::plain(16.6666), "16.67");
  EXPECT_EQ(markdown::plain(40), "40");
  EXPECT_EQ(markdown::plain(0.075, 3), "0.075");
  EXPECT_EQ(markdown::plain(3, 0), "3");
  EXPECT_EQ(markdown::evidence_value({"price", 0.075, "usd_per_mtok"}), "$0.075/M tokens");
  EXPECT_EQ(markdown::utc_time(known::kFrom + 3 * 86'400'000LL + 10 * known::kHour + 90'000),
            "2024-06-11 10:01 UTC");
  EXPECT_EQ(markdown::code("a`b|c\nd"), "`a'b\\|c d`");
  EXPECT_EQ(markdown::cell("x|y\nz"), "x\\|y z");
  EXPECT_EQ(markdown::evidence_value({"p", 0.5, "share"}), "50.0%");
  EXPECT_EQ(markdown::evidence_value({"t", 1000, "ms"}), "1,000 ms");
  EXPECT_EQ(markdown::evidence_name("avg_input_tokens"), "avg input tokens");
}

}  // namespace
}  // namespace netra::agents
