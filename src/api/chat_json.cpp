#include "api/chat_json.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "chat/run_event_sink.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "net/json_parse.hpp"
#include "net/json_write.hpp"

namespace netra::api {
namespace {

int64_t seconds(int64_t unix_ms) {
  return unix_ms / 1000;
}

// The stores write metadata as the text of a checked object, and it is passed on as that text
// once the parser has read it as JSON; text that does not parse was written by something else,
// and answers as an internal error (the server and the socket catch this).
void append_stored_metadata(std::string& out, const std::string& text) {
  if (!net::is_json(text)) throw std::runtime_error("stored thread metadata is not JSON");
  out += text;
}

// {created_at, id, message_count, metadata, object, title, updated_at}
void append_thread(std::string& out, const chat::Thread& t) {
  // Keys in the order nlohmann wrote them (sorted), so answers read as they always did.
  auto number = [&out](std::string_view key, int64_t value) {
    out += key;
    const fmt::format_int digits(value);
    out.append(digits.data(), digits.size());
  };
  number(R"({"created_at":)", seconds(t.created_at));
  out += R"(,"id":)";
  net::append_json_string(out, t.id);
  number(R"(,"message_count":)", t.message_count);
  out += R"(,"metadata":)";
  append_stored_metadata(out, t.metadata_json);
  out += R"(,"object":"thread","title":)";
  if (t.title) {
    net::append_json_string(out, *t.title);
  } else {
    out += "null";
  }
  number(R"(,"updated_at":)", seconds(t.updated_at));
  out += '}';
}

}  // namespace

nlohmann::json unix_seconds_or_null(const std::optional<int64_t>& unix_ms) {
  return unix_ms ? nlohmann::json(seconds(*unix_ms)) : nlohmann::json(nullptr);
}

std::string thread_text(const chat::Thread& thread) {
  std::string out;
  append_thread(out, thread);
  return out;
}

boost::json::object thread_json(const chat::Thread& thread, boost::json::storage_ptr sp) {
  boost::system::error_code ec;
  auto value = net::parse_json(thread_text(thread), ec, std::move(sp));
  if (ec) throw std::logic_error("a thread written as JSON does not parse: " + ec.message());
  return std::move(value.as_object());
}

std::string thread_page_json(const std::vector<chat::Thread>& threads) {
  // Written straight into the body: a page is the chat API's busiest answer, and building a
  // document of it first cost more than writing it (bench/threads_instructions.sh).
  std::string out;
  out.reserve(64 + 256 * threads.size());
  out += '[';
  for (const auto& t : threads) {
    if (&t != &threads.front()) out += ',';
    append_thread(out, t);
  }
  out += ']';
  return out;
}

nlohmann::json message_json(const chat::Message& m) {
  return {{"id", m.id},
          {"thread_id", m.thread_id},
          {"role", chat::to_string(m.role)},
          {"content", m.content},
          {"created_at", seconds(m.created_at)},
          {"metadata", m.metadata},
          {"run_id", m.run_id ? nlohmann::json(*m.run_id) : nlohmann::json(nullptr)}};
}

nlohmann::json run_json(const chat::Run& r) {
  return {{"id", r.id},
          {"object", "run"},
          {"thread_id", r.thread_id},
          {"status", chat::to_string(r.status)},
          {"user_request", r.user_request},
          {"error", r.error ? nlohmann::json(*r.error) : nlohmann::json(nullptr)},
          {"created_at", seconds(r.created_at)},
          {"started_at", unix_seconds_or_null(r.started_at)},
          {"finished_at", unix_seconds_or_null(r.finished_at)}};
}

nlohmann::json agent_event_json(const chat::AgentEvent& e) {
  return {{"type", chat::to_string(e.type)},
          {"run_id", e.run_id},
          {"thread_id", e.thread_id},
          {"agent_name", e.agent_name},
          {"timestamp", static_cast<double>(e.timestamp) / 1000.0},
          {"seq", e.seq},
          {"data", e.data}};
}

nlohmann::json step_json(const chat::RunStep& s) {
  if (auto event = chat::RunEventSink::event_from_step(s)) {
    auto out = agent_event_json(*event);
    out["created_at"] = seconds(s.created_at);
    return out;
  }
  return {
      {"seq", s.seq}, {"type", s.type}, {"data", s.payload}, {"created_at", seconds(s.created_at)}};
}

}  // namespace netra::api
