// EventSink: the one way an agent run reports what it does. The supervisor emits through it; the
// implementation stores each event as a run step (so a client that reconnects reads what it
// missed from GET /api/runs/{id}) and delivers it to every socket the run's user holds.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chat/chat_error.hpp"
#include "core/deadline.hpp"

namespace netra::chat {

namespace asio = boost::asio;

enum class AgentEventType {
  agent_started,
  agent_thinking,
  tool_executing,
  tool_completed,
  agent_completed,
  agent_error,
  // A piece of the report as it is written (a section), before agent_completed; the pieces,
  // concatenated, are the stored assistant message.
  agent_response_chunk
};
std::string_view to_string(AgentEventType type);
std::optional<AgentEventType> parse_agent_event_type(std::string_view text);
// Whether an event of this type (as clients see it: "agent_completed") is a run's last.
bool ends_run(std::string_view type);

struct AgentEvent {
  AgentEventType type = AgentEventType::agent_thinking;
  std::string run_id;
  std::string thread_id;
  std::string user_id;     // whose sockets it reaches; not part of what clients see
  std::string agent_name;  // the sub-agent ("triage", "data", …) or "supervisor"
  nlohmann::json data = nlohmann::json::object();
  int64_t timestamp = 0;  // Unix ms; the sink sets it
  int64_t seq = 0;        // the step's number within the run; the sink sets it
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Stores the event as the run's next step, then delivers it; the stored event (with its
  // timestamp and seq) is returned. Not delivered when storing fails: what a client saw is
  // always what it can read again.
  virtual asio::awaitable<ChatResult<AgentEvent>> emit(AgentEvent event,
                                                       core::Deadline deadline) = 0;
  // Delivers an event that could not be stored, as it is (the caller sets its seq and marks it
  // data.stored = false). Only for the event that ends a run: a socket must hear that the run is
  // over even while the store refuses, or it waits for a run that nothing runs.
  virtual void deliver_unstored(AgentEvent event) = 0;
};

}  // namespace netra::chat
