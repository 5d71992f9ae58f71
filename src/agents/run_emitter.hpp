// RunEmitter: how the steps of one agent run report through the EventSink — the run's identity
// on every event, tool events around each query, and the first event that could not be stored.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chat/event_sink.hpp"
#include "telemetry/active_span.hpp"

namespace netra::agents {

namespace asio = boost::asio;

struct RunIdentity {
  std::string run_id;
  std::string thread_id;
  std::string user_id;
};

// Not thread-safe: one run's steps emit one at a time. The sink must outlive the emitter.
class RunEmitter {
 public:
  // Each event gets `store_timeout` to be stored, independent of the run's own deadline, so the
  // events that end a run that timed out are still recorded.
  RunEmitter(chat::EventSink& sink, RunIdentity identity, std::chrono::milliseconds store_timeout)
      : sink_(sink), identity_(std::move(identity)), store_timeout_(store_timeout) {}

  const RunIdentity& identity() const { return identity_; }

  // Emits one event as `agent_name`; false when the sink could not store it (the first such
  // error is kept in failure()). Later events are still attempted.
  // Names are copied before the first suspension: string literals and the caller's strings
  // both do, and no std::string temporary sits in the caller's co_await (g++ 12).
  asio::awaitable<bool> emit(chat::AgentEventType type, std::string_view agent_name,
                             nlohmann::json data);

  // Emits the event that ends the run (agent_completed, agent_error). When it cannot be stored it
  // is delivered all the same, with the next seq and data.stored = false, so the user's sockets
  // learn that the run is over. Returns whether it was stored.
  asio::awaitable<bool> emit_final(chat::AgentEventType type, std::string_view agent_name,
                                   nlohmann::json data);

  enum class ToolOutcome { succeeded, failed };

  // tool_executing {tool, parameters}, and tool_completed {tool, result, duration_ms} — or
  // {tool, error, duration_ms} when it failed — with the time since the matching tool_executing.
  // In a sampled trace the work between them is a span "agent.tool <tool>", the parent of the
  // queries and calls the tool makes.
  asio::awaitable<bool> tool_executing(std::string_view agent_name, std::string_view tool,
                                       nlohmann::json parameters);
  asio::awaitable<bool> tool_completed(std::string_view agent_name, std::string_view tool,
                                       nlohmann::json outcome,
                                       ToolOutcome how = ToolOutcome::succeeded);

  const std::optional<chat::ChatError>& failure() const { return failure_; }

 private:
  // An event of this run, not yet numbered.
  chat::AgentEvent event_of(chat::AgentEventType type, std::string agent_name,
                            nlohmann::json data) const;
  int64_t tool_elapsed_ms() const;

  chat::EventSink& sink_;
  RunIdentity identity_;
  std::chrono::milliseconds store_timeout_;
  std::chrono::steady_clock::time_point tool_started_{};
  std::optional<telemetry::ActiveSpan> tool_span_;
  std::optional<chat::ChatError> failure_;
  int64_t last_seq_ = 0;  // of the last event stored
};

}  // namespace netra::agents
