// ReportSummary: what a language model is given to phrase a report's summary — the computed
// facts only — and the check its reply must pass before it replaces the computed summary.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "agents/chat_completions_client.hpp"
#include "agents/report.hpp"
#include "agents/run_emitter.hpp"
#include "core/deadline.hpp"
#include "core/result.hpp"

namespace netra::agents {

inline constexpr std::string_view kSummaryTool = "llm_summary";

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

// Asks the model between tool_executing and tool_completed events of agent "reporting" (tool
// llm_summary, parameters: the model); nullopt — after a tool_completed with the error — when the
// call fails or times out, or the reply fails the check. With too little data for figures the
// model is not asked and no event is emitted. Bounded by `deadline` and the client's timeout.
asio::awaitable<std::optional<PhrasedSummary>> phrase_summary(ChatCompletionsClient& client,
                                                              RunEmitter& emitter,
                                                              const ReportInput& input,
                                                              core::Deadline deadline);

}  // namespace netra::agents
