#include "agents/run_emitter.hpp"

namespace netra::agents {

chat::AgentEvent RunEmitter::event_of(chat::AgentEventType type, std::string agent_name,
                                      nlohmann::json data) const {
  chat::AgentEvent event;
  event.type = type;
  event.run_id = identity_.run_id;
  event.thread_id = identity_.thread_id;
  event.user_id = identity_.user_id;
  event.agent_name = std::move(agent_name);
  event.data = std::move(data);
  return event;
}

asio::awaitable<bool> RunEmitter::emit(chat::AgentEventType type, std::string_view agent_name,
                                       nlohmann::json data) {
  auto event = event_of(type, std::string(agent_name), std::move(data));
  auto emitted = co_await sink_.emit(std::move(event), core::Deadline::after(store_timeout_));
  if (emitted) {
    last_seq_ = emitted->seq;
    co_return true;
  }
  if (!failure_) failure_ = emitted.error();
  co_return false;
}

asio::awaitable<bool> RunEmitter::emit_final(chat::AgentEventType type, std::string_view agent_name,
                                             nlohmann::json data) {
  std::string agent(agent_name);
  nlohmann::json unstored = data;
  const bool stored = co_await emit(type, agent, std::move(data));
  if (stored) co_return true;
  unstored["stored"] = false;
  auto event = event_of(type, std::move(agent), std::move(unstored));
  event.seq = last_seq_ + 1;
  sink_.deliver_unstored(std::move(event));
  co_return false;
}

asio::awaitable<bool> RunEmitter::tool_executing(std::string_view agent_name, std::string_view tool,
                                                 nlohmann::json parameters) {
  tool_started_ = std::chrono::steady_clock::now();
  nlohmann::json data = {{"tool", tool}, {"parameters", std::move(parameters)}};
  const bool stored =
      co_await emit(chat::AgentEventType::tool_executing, agent_name, std::move(data));
  tool_span_.reset();
  tool_span_.emplace("agent.tool " + std::string(tool), telemetry::SpanKind::internal);
  tool_span_->set("netra.agent", std::string(agent_name));
  tool_span_->make_current();
  co_return stored;
}

asio::awaitable<bool> RunEmitter::tool_completed(std::string_view agent_name, std::string_view tool,
                                                 nlohmann::json outcome, ToolOutcome how) {
  if (tool_span_ && how == ToolOutcome::failed) {
    const bool said =
        outcome.is_object() && outcome.contains("message") && outcome["message"].is_string();
    tool_span_->fail(said ? outcome["message"].get<std::string>() : "the tool failed");
  }
  tool_span_.reset();
  const char* key = how == ToolOutcome::succeeded ? "result" : "error";
  nlohmann::json data = {
      {"tool", tool}, {key, std::move(outcome)}, {"duration_ms", tool_elapsed_ms()}};
  const bool stored =
      co_await emit(chat::AgentEventType::tool_completed, agent_name, std::move(data));
  co_return stored;
}

int64_t RunEmitter::tool_elapsed_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               tool_started_)
      .count();
}

}  // namespace netra::agents
