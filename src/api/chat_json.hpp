// The JSON shapes of the chat API — threads, messages, runs and steps as clients see them (times
// in Unix seconds). Shared by the REST routes and the WebSocket channel.
#pragma once

#include <boost/json/object.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_types.hpp"
#include "chat/event_sink.hpp"

namespace netra::api {

// A stored time (Unix ms) as every route shows times: Unix seconds, or null when there is none.
nlohmann::json unix_seconds_or_null(const std::optional<int64_t>& unix_ms);

// A thread as JSON text: {created_at, id, message_count, metadata, object, title, updated_at},
// keys in that order, written directly (a page of threads is the chat API's busiest answer;
// bench/json.sh, bench/threads_instructions.sh). The metadata is the text the store keeps, once
// read as JSON; text that is not JSON throws std::runtime_error (a row not written by the stores).
std::string thread_text(const chat::Thread& thread);
// The same thread as a Boost.JSON object, for documents that hold one (socket events, exports).
boost::json::object thread_json(const chat::Thread& thread, boost::json::storage_ptr sp = {});
// A page of threads, the body of GET /api/threads.
std::string thread_page_json(const std::vector<chat::Thread>& threads);
nlohmann::json message_json(const chat::Message& message);
nlohmann::json run_json(const chat::Run& run);
// A step the event sink stored reads as the event clients saw over the socket, plus created_at;
// any other step as {seq, type, data, created_at}.
nlohmann::json step_json(const chat::RunStep& step);
// The JSON a client receives for an agent event: {type, run_id, thread_id, agent_name,
// timestamp, seq, data}, timestamp in Unix seconds (with milliseconds).
nlohmann::json agent_event_json(const chat::AgentEvent& event);

}  // namespace netra::api
