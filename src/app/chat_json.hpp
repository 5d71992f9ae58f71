// The JSON shapes of the chat API — threads, messages, runs and steps as clients see them (times
// in Unix seconds) — and the one mapping from a chat error to an HTTP answer. Shared by the REST
// routes and the WebSocket channel.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chat/chat_error.hpp"
#include "chat/chat_types.hpp"
#include "chat/event_sink.hpp"
#include "net/http_message.hpp"

namespace netra::app {

nlohmann::json thread_json(const chat::Thread& thread);
nlohmann::json message_json(const chat::Message& message);
nlohmann::json run_json(const chat::Run& run);
// A step the event sink stored reads as the event clients saw over the socket, plus created_at;
// any other step as {seq, type, data, created_at}.
nlohmann::json step_json(const chat::RunStep& step);
// The JSON a client receives for an agent event: {type, run_id, thread_id, agent_name,
// timestamp, seq, data}, timestamp in Unix seconds (with milliseconds).
nlohmann::json agent_event_json(const chat::AgentEvent& event);

// not_found → 404 (the same for missing and another user's), invalid → 400 naming the field,
// conflict → 409, database → net::db_error_response.
net::HttpResponse chat_error_response(const chat::ChatError& error, const std::string& request_id);

}  // namespace netra::app
