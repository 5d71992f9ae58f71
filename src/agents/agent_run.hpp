// AgentRun: one run of the agent pipeline — triage, data, optimization, actions, reporting — for
// a request in a thread, reported step by step through the EventSink, its report stored as the
// assistant's message and its status kept in the run store.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/analytics_store.hpp"
#include "chat/event_sink.hpp"
#include "chat/message_store.hpp"
#include "chat/run_store.hpp"
#include "chat/thread_store.hpp"
#include "telemetry/trace_scope.hpp"

namespace netra::agents {

namespace asio = boost::asio;

// The sub-agents, in the order they run; agent_thinking's step_number is the position + 1.
inline constexpr std::array<std::string_view, 5> kSteps = {"triage", "data", "optimization",
                                                           "actions", "reporting"};
inline constexpr std::string_view kSupervisorName = "supervisor";

struct RunRequest {
  std::string run_id;  // a run the store holds as queued (RunStore::create)
  std::string thread_id;
  std::string user_id;  // the thread's owner
  std::string user_request;
  // The trace of the request that asked for it, when one was current: the run is a span of that
  // trace ("agent.run"), its steps and tool calls children of it.
  std::optional<telemetry::TraceScope> trace = std::nullopt;
};

class ChatCompletionsClient;

// What a run works with; all owned elsewhere and outliving every run.
struct RunDependencies {
  analytics::AnalyticsStore& analytics;
  chat::RunStore& runs;
  chat::MessageStore& messages;
  chat::EventSink& events;
  // Phrases the report's summary from its figures; nullptr (the default): the computed summary.
  ChatCompletionsClient* llm = nullptr;
  // Where a run titles a thread that has none, from its request (thread_title), and who hears of
  // it (the user's clients: thread_renamed); nullptr: threads keep what they have.
  chat::ThreadStore* threads = nullptr;
  std::function<void(const chat::Thread&)> thread_titled = nullptr;
  // Before a run prices anything: the model catalog as the administrators left it (another
  // instance may have changed an entry); nullptr: the installed catalog as it is.
  std::function<asio::awaitable<void>()> refresh_catalog = nullptr;
};

struct RunSettings {
  std::chrono::milliseconds timeout{120'000};      // the whole run, from its start
  std::chrono::milliseconds store_timeout{5'000};  // each status change, event and message
  chat::UnixClock clock = core::unix_ms_now;       // "now" for relative periods ("last 7 days")
};

enum class RunOutcome {
  completed,  // report stored, status completed, agent_completed emitted
  failed,     // status failed, agent_error emitted (when the store allowed it)
  cancelled,  // status cancelled (by this run, or by someone else before it could finish)
  timed_out,  // status failed, agent_error TIMEOUT
};
std::string_view to_string(RunOutcome outcome);

// Set from anywhere to stop the run before its next step.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// Runs the steps in order. Events: agent_started; per step an agent_thinking {step_number,
// total_steps, step, progress, message}; tool_executing/tool_completed around every data query
// and, with deps.llm, around the model's summary (tool llm_summary: a failure there is reported in
// its tool_completed, and the report keeps the computed summary); then agent_completed {result,
// report, message_id, execution_time_ms} — or agent_error {code, message} with code CANCELLED,
// TIMEOUT, DATA_UNAVAILABLE, STORE_FAILED or INTERNAL. The status is set before the last event, so
// a client that hears it reads the final state. Never throws.
asio::awaitable<RunOutcome> execute_run(RunDependencies deps, RunSettings settings,
                                        RunRequest request, CancelFlag cancelled);

// Ends a run that never started: status failed with `message`, then agent_error {code, message}
// from the supervisor. Never throws; what the store refuses is logged, there is nobody else to
// tell.
asio::awaitable<void> refuse_run(chat::RunStore& runs, chat::EventSink& events, RunRequest request,
                                 std::string code, std::string message,
                                 std::chrono::milliseconds store_timeout);

}  // namespace netra::agents
