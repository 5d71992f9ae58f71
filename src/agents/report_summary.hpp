// ReportSummary: what a language model is given to phrase a report's summary — the computed
// facts only — and the check its reply must pass before it replaces the computed summary.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "agents/chat_completions_client.hpp"
#include "agents/report.hpp"
#include "agents/report_chunks.hpp"
#include "agents/run_emitter.hpp"
#include "core/deadline.hpp"
#include "core/result.hpp"

namespace netra::agents {

inline constexpr std::string_view kSummaryTool = "llm_summary";
inline constexpr std::string_view kTitleTool = "llm_title";

// The facts (intent, period, totals, the costliest models, the top recommendations with their
// savings, notes), each figure written as the report writes it, as compact JSON; no user text
// but the names in the data. The system message asks for a short summary using only them.
ChatPrompt summary_prompt(const ReportInput& input);

// Why a reply is not used as the summary.
struct SummaryRefused {
  std::string message;
};

// The reply as the summary's text — headings turned into plain lines — or why it is refused:
// a figure the facts do not hold (a number the model made up or rounded differently).
core::Result<std::string, SummaryRefused> checked_summary(const std::string& reply,
                                                          const std::string& facts);

// The summary while the model writes it: of the reply so far, the text checked_summary keeps
// whatever comes next (blanks at the ends and heading marks at a line's start wait for what
// follows). Whether its figures pass is known only at the end.
class SummaryDraft {
 public:
  // Takes the next piece of the reply; returns the text that became certain.
  std::string push(std::string_view piece);

 private:
  std::string raw_;
  std::string text_;  // certain so far
  size_t sent_ = 0;
};

// Asks the model between tool_executing and tool_completed events of agent "reporting" (tool
// llm_summary, parameters: the model); nullopt — after a tool_completed with the error — when the
// call fails or times out, or the reply fails the check. With too little data for figures the
// model is not asked and no event is emitted. Bounded by `deadline` and the client's timeout.
// With `chunks`, the reply streams into them as the model writes it (SummaryDraft), after what
// they already sent — the report's lead (phrased_summary_lead).
asio::awaitable<std::optional<PhrasedSummary>> phrase_summary(ChatCompletionsClient& client,
                                                              RunEmitter& emitter,
                                                              const ReportInput& input,
                                                              core::Deadline deadline,
                                                              ReportChunks* chunks = nullptr);

// A thread's title phrased by the model from what triage read — the intent, the models or
// workloads named, the period, and the title the rules made; never the user's words. The reply is
// used when it is one line of 3 to 80 characters of plain text (quotes, markup and a final period
// taken off) with at most 10 words; else nullopt, and the rules' title stays. Between
// tool_executing and tool_completed events (tool llm_title) of agent "reporting".
ChatPrompt title_prompt(const TriageResult& triage, const std::string& rule_title);
std::optional<std::string> checked_title(const std::string& reply);
asio::awaitable<std::optional<std::string>> phrase_title(ChatCompletionsClient& client,
                                                         RunEmitter& emitter,
                                                         const TriageResult& triage,
                                                         const std::string& rule_title,
                                                         core::Deadline deadline);

}  // namespace netra::agents
