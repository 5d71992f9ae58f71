#include "api/chat_json.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "chat/run_event_sink.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "net/json_parse.hpp"

namespace netra::api {
namespace {

int64_t seconds(int64_t unix_ms) {
  return unix_ms / 1000;
}

// The stores write metadata as the text of a checked object; text that does not parse was written
// by something else, and answers as an internal error (the server and the socket catch this).
boost::json::value stored_metadata(const std::string& text, boost::json::storage_ptr sp) {
  boost::system::error_code ec;
  auto value = net::parse_json(text, ec, std::move(sp));
  if (ec) throw std::runtime_error("stored thread metadata is not JSON: " + ec.message());
  return value;
}

}  // namespace

nlohmann::json unix_seconds_or_null(const std::optional<int64_t>& unix_ms) {
  return unix_ms ? nlohmann::json(seconds(*unix_ms)) : nlohmann::json(nullptr);
}

boost::json::object thread_json(const chat::Thread& t, boost::json::storage_ptr sp) {
  // Keys in the order nlohmann wrote them (sorted), so answers read as they always did.
  boost::json::object out(7, sp);
  out.emplace("created_at", seconds(t.created_at));
  out.emplace("id", t.id);
  out.emplace("message_count", t.message_count);
  out.emplace("metadata", stored_metadata(t.metadata_json, sp));
  out.emplace("object", "thread");
  if (t.title) {
    out.emplace("title", *t.title);
  } else {
    out.emplace("title", nullptr);
  }
  out.emplace("updated_at", seconds(t.updated_at));
  return out;
}

std::string thread_page_json(const std::vector<chat::Thread>& threads) {
  // One arena for the whole page, released at once: no allocation per value.
  boost::json::monotonic_resource arena;
  boost::json::array page(&arena);
  page.reserve(threads.size());
  for (const auto& t : threads) page.emplace_back(thread_json(t, &arena));
  return boost::json::serialize(page);
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
