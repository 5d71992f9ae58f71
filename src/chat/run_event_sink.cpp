#include "chat/run_event_sink.hpp"

#include <array>

namespace netra::chat {
namespace {

constexpr std::array<std::pair<AgentEventType, std::string_view>, 7> kNames{{
    {AgentEventType::agent_started, "agent_started"},
    {AgentEventType::agent_thinking, "agent_thinking"},
    {AgentEventType::tool_executing, "tool_executing"},
    {AgentEventType::tool_completed, "tool_completed"},
    {AgentEventType::agent_completed, "agent_completed"},
    {AgentEventType::agent_error, "agent_error"},
    {AgentEventType::agent_response_chunk, "agent_response_chunk"},
}};

}  // namespace

std::string_view to_string(AgentEventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "agent_thinking";
}

std::optional<AgentEventType> parse_agent_event_type(std::string_view text) {
  for (const auto& [t, name] : kNames) {
    if (name == text) return t;
  }
  return std::nullopt;
}

bool ends_run(std::string_view type) {
  return type == to_string(AgentEventType::agent_completed) ||
         type == to_string(AgentEventType::agent_error);
}

nlohmann::json RunEventSink::step_payload(const AgentEvent& event) {
  return {{"thread_id", event.thread_id},
          {"agent_name", event.agent_name},
          {"timestamp", event.timestamp},
          {"data", event.data}};
}

std::optional<AgentEvent> RunEventSink::event_from_step(const RunStep& step) {
  const auto type = parse_agent_event_type(step.type);
  const auto& p = step.payload;
  if (!type || !p.is_object() || !p.contains("agent_name") || !p["agent_name"].is_string())
    return std::nullopt;
  AgentEvent event;
  event.type = *type;
  event.run_id = step.run_id;
  event.thread_id = p.value("thread_id", "");
  event.agent_name = p["agent_name"].get<std::string>();
  event.data = p.value("data", nlohmann::json::object());
  event.timestamp = p.value("timestamp", step.created_at);
  event.seq = step.seq;
  return event;
}

asio::awaitable<ChatResult<AgentEvent>> RunEventSink::emit(AgentEvent event,
                                                           core::Deadline deadline) {
  event.timestamp = clock_();
  auto seq = co_await runs_.append_step(event.run_id, std::string(to_string(event.type)),
                                        step_payload(event), deadline);
  if (!seq) co_return seq.error();
  event.seq = seq.value();
  if (deliver_) deliver_(event);
  co_return event;
}

void RunEventSink::deliver_unstored(AgentEvent event) {
  event.timestamp = clock_();
  if (deliver_) deliver_(event);
}

}  // namespace netra::chat
