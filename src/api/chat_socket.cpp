#include "api/chat_socket.hpp"

#include <boost/json/serialize.hpp>
#include <limits>

#include "api/auth_routes.hpp"
#include "api/chat_json.hpp"
#include "auth/auth_state.hpp"
#include "auth/ticket_store.hpp"
#include "chat/chat_validation.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"
#include "net/bearer_token.hpp"
#include "redis/cluster_slots.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {
namespace {

using nlohmann::json;
constexpr size_t kMaxToken = 8 * 1024;
constexpr std::chrono::seconds kStoreBudget{10};

core::Deadline store_deadline() {
  return core::Deadline::after(kStoreBudget);
}

double unix_seconds(int64_t unix_ms) {
  return static_cast<double>(unix_ms) / 1000.0;
}

std::string error_text(std::string_view code, std::string_view message,
                       std::string_view field = {}) {
  json out = {{"type", "error"}, {"code", code}, {"message", message}};
  if (!field.empty()) out["field"] = field;
  return out.dump();
}

// The jwt.<token> entry of a Sec-WebSocket-Protocol list, exactly as offered, or "".
std::string offered_jwt_protocol(std::string_view header) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.size() > 4 && item.substr(0, 4) == "jwt.") return std::string(item);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return "";
}

// Checks the payload's fields: only `allowed` may appear. Returns the first problem.
std::optional<chat::FieldError> unknown_field(const json& payload,
                                              std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : payload.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return chat::FieldError{key, "unknown field"};
  }
  return std::nullopt;
}

// An optional id field: absent or null is nullopt; otherwise it must have the shape of an id.
core::Result<std::optional<std::string>, chat::FieldError> optional_id(const json& payload,
                                                                       const char* field,
                                                                       chat::IdKind kind) {
  auto it = payload.find(field);
  if (it == payload.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return chat::FieldError{field, "must be a string"};
  if (auto bad = chat::check_id(it->get_ref<const std::string&>(), kind, field)) return *bad;
  return std::optional<std::string>(it->get<std::string>());
}

// An optional whole number between `min` and `max`; `fallback` when absent or null.
core::Result<int64_t, chat::FieldError> optional_count(const json& payload, const char* field,
                                                       int64_t fallback, int64_t min, int64_t max) {
  auto it = payload.find(field);
  if (it == payload.end() || it->is_null()) return fallback;
  const std::string range =
      "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!it->is_number_integer()) return chat::FieldError{field, range};
  // Read as signed only when it fits: a huge unsigned value must not wrap into the range.
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max)) {
    return chat::FieldError{field, range};
  }
  const auto value = it->get<int64_t>();
  if (value < min || value > max) return chat::FieldError{field, range};
  return value;
}

// A thread's title as a client may give it: absent or null (no title), or a string (the store
// checks its length).
core::Result<std::optional<std::string>, chat::FieldError> optional_title(const json& payload) {
  auto it = payload.find("title");
  if (it == payload.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return chat::FieldError{"title", "must be a string"};
  return std::optional<std::string>(it->get<std::string>());
}

// A required text field within the content limits (1 byte to 32 KiB of UTF-8).
core::Result<std::string, chat::FieldError> required_text(const json& payload, const char* field) {
  auto it = payload.find(field);
  if (it == payload.end() || !it->is_string()) return chat::FieldError{field, "required, a string"};
  if (auto bad = chat::check_content(it->get_ref<const std::string&>(), field)) return *bad;
  return it->get<std::string>();
}

}  // namespace

ChatSocket::ChatSocket(const auth::AuthState& auth, auth::TicketStore& tickets,
                       std::shared_ptr<chat::ChatStore> chat, agents::AgentRuns& runs,
                       std::shared_ptr<const ThreadEvents> thread_events,
                       std::chrono::milliseconds heartbeat_interval)
    : auth_(auth),
      tickets_(tickets),
      chat_(std::move(chat)),
      runs_(runs),
      thread_events_(std::move(thread_events)),
      heartbeat_interval_(heartbeat_interval) {}

void ChatSocket::count_across_instances(std::shared_ptr<redis::ClusterSlots> places,
                                        size_t per_user_limit) {
  places_ = std::move(places);
  per_user_limit_ = per_user_limit;
}

asio::awaitable<net::WebSocketAdmission> ChatSocket::admit(const net::HttpRequest& upgrade) {
  auto admission = co_await authenticate(upgrade);
  if (admission.kind != net::WebSocketAdmission::Kind::accepted || !places_) co_return admission;
  // The user's sockets on every instance; this instance's own limit is the server's to check.
  auto claim = co_await places_->claim(admission.user_id, core::make_id("ws"), per_user_limit_);
  if (claim.kind == redis::ClusterSlots::Claim::Kind::full) {
    admission.kind = net::WebSocketAdmission::Kind::user_full;
    admission.reason = "at most " + std::to_string(per_user_limit_) +
                       " sockets per user (across the instances); " + std::to_string(claim.count) +
                       " are open";
  }
  admission.place = std::move(claim.hold);
  co_return admission;
}

asio::awaitable<net::WebSocketAdmission> ChatSocket::authenticate(const net::HttpRequest& upgrade) {
  using Kind = net::WebSocketAdmission::Kind;
  net::WebSocketAdmission admission;
  // Echoed even when the token is bad: a browser fails a handshake that selects none of the
  // offered subprotocols, and then never sees the AUTH_FAILED message.
  admission.subprotocol = offered_jwt_protocol(upgrade.header("sec-websocket-protocol"));
  std::string token;
  if (const auto bearer = net::bearer_token(upgrade.header("authorization"))) {
    token = std::string(*bearer);
  } else if (!admission.subprotocol.empty()) {
    token = admission.subprotocol.substr(4);
  } else if (const auto ticket = upgrade.query_param("ticket"); !ticket.empty()) {
    auto owner = co_await tickets_.redeem(ticket);
    if (!owner) {
      admission.reason = "an unknown, used or expired ticket";
      co_return admission;
    }
    if (auth_.session_revoked(owner->session_id)) {
      admission.reason = "a ticket of a login revoked since it was issued";
      co_return admission;
    }
    admission.kind = Kind::accepted;
    admission.user_id = std::move(owner->user_id);
    admission.expires_at = owner->credential_expires_at;
    admission.session_id = std::move(owner->session_id);
    co_return admission;
  } else {
    admission.reason = "no credential (Bearer header, jwt.<token> subprotocol or ?ticket=)";
    co_return admission;
  }
  if (token.size() > kMaxToken) {
    admission.reason = "a token longer than the limit";
    co_return admission;
  }
  auto outcome = co_await verify_bearer(auth_, std::move(token));
  using Outcome = net::ServerHooks::AuthOutcome::Kind;
  if (outcome.kind == Outcome::ok) {
    admission.kind = Kind::accepted;
    admission.user_id = std::move(outcome.user_id);
    admission.expires_at = outcome.expires_at;
    admission.session_id = std::move(outcome.session_id);
  } else {
    admission.kind = outcome.kind == Outcome::unavailable ? Kind::unavailable : Kind::refused;
    admission.reason = "token refused: " + outcome.reason;
  }
  co_return admission;
}

std::string ChatSocket::refusal(const std::string& code, const std::string& message) {
  return error_text(code, message);
}

std::string ChatSocket::rejection(const std::string& code, const std::string& message) {
  return error_text(code, message);
}

void ChatSocket::opened(const std::shared_ptr<net::WebSocketConnection>& connection) {
  connection->send(json{{"type", "connection_established"},
                        {"connection_id", connection->id()},
                        {"user_id", connection->user_id()},
                        {"server_time", unix_seconds(core::unix_ms_now())},
                        {"heartbeat_interval_s", heartbeat_interval_.count() / 1000.0}}
                       .dump());
}

asio::awaitable<void> ChatSocket::received(std::shared_ptr<net::WebSocketConnection> connection,
                                           std::string text) {
  auto& c = *connection;
  const auto message = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) {
    c.send(error_text("JSON_PARSE_ERROR", "the message is not valid JSON"));
    co_return;
  }
  if (!message.is_object()) {
    c.send(error_text("INVALID_PAYLOAD", "a message is a JSON object {type, payload}", "type"));
    co_return;
  }
  const auto type = message.find("type");
  if (type == message.end() || !type->is_string()) {
    c.send(error_text("INVALID_PAYLOAD", "type is required, a string", "type"));
    co_return;
  }
  json payload = json::object();
  if (auto it = message.find("payload"); it != message.end() && !it->is_null()) {
    if (!it->is_object()) {
      c.send(error_text("INVALID_PAYLOAD", "payload must be an object", "payload"));
      co_return;
    }
    payload = *it;
  }
  const auto& name = type->get_ref<const std::string&>();
  if (name == "ping") {
    c.send(json{{"type", "pong"}, {"server_time", unix_seconds(core::unix_ms_now())}}.dump());
  } else if (name == "user_message" || name == "chat_message") {  // the original clients' name
    co_await user_message(c, payload);
  } else if (name == "start_agent") {
    co_await start_agent(c, payload);
  } else if (name == "stop_agent") {
    co_await stop_agent(c, payload);
  } else if (name == "switch_thread") {
    co_await switch_thread(c, payload);
  } else if (name == "create_thread") {
    co_await create_thread(c, payload);
  } else if (name == "list_threads") {
    co_await list_threads(c, payload);
  } else if (name == "rename_thread") {
    co_await rename_thread(c, payload);
  } else if (name == "delete_thread") {
    co_await delete_thread(c, payload);
  } else if (name == "get_thread_history") {
    co_await thread_history(c, payload);
  } else {
    c.send(error_text("UNKNOWN_TYPE",
                      "unknown message type; expected ping, user_message (or chat_message), "
                      "start_agent, stop_agent, switch_thread, create_thread, list_threads, "
                      "rename_thread, delete_thread or get_thread_history"));
  }
}

namespace {

// Answers a failed store call: not_found as `not_found_code`, invalid naming its field, the rest
// as a server error (logged, never the database's words to the client).
void answer_store_error(net::WebSocketConnection& c, const chat::ChatError& error,
                        std::string_view not_found_code,
                        std::string_view conflict_code = "CONFLICT") {
  switch (error.code) {
    case chat::ChatErrorCode::not_found:
      c.send(error_text(not_found_code, error.message));
      return;
    case chat::ChatErrorCode::invalid:
      c.send(error_text("INVALID_PAYLOAD", error.message, error.field));
      return;
    case chat::ChatErrorCode::conflict:
      c.send(error_text(conflict_code, error.message));
      return;
    case chat::ChatErrorCode::database:
      telemetry::logger("websocket")->error("{} of {}: {}", c.id(), c.user_id(), error.message);
      c.send(error_text("SERVER_ERROR", "the request could not be stored; try again"));
      return;
  }
}

void answer_field(net::WebSocketConnection& c, const chat::FieldError& bad) {
  c.send(error_text("INVALID_PAYLOAD", bad.field + " " + bad.reason, bad.field));
}

}  // namespace

asio::awaitable<void> ChatSocket::user_message(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id", "message"})) co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  auto text = required_text(payload, "message");
  if (!text) co_return answer_field(c, text.error());
  agents::RunAsk ask{c.user_id(), thread_id.value(), std::move(text.value()),
                     /*chat_message=*/true};
  auto started = co_await runs_.start(std::move(ask), store_deadline());
  if (!started) co_return answer_store_error(c, started.error(), "THREAD_NOT_FOUND");
  // Committed before this answer; the run's events follow it on every socket of the user.
  const auto& saved = started->request;
  json answer{{"type", "message_saved"},
              {"message_id", saved.id},
              {"thread_id", saved.thread_id},
              {"created_at", saved.created_at / 1000},
              {"run_id", started->run ? json(started->run->id) : json(nullptr)},
              {"agent", agents::agent_state(started.value())}};
  if (started->active_run_id) {
    answer["active_run_id"] = *started->active_run_id;
    answer["note"] = "the message is saved; the thread's active run goes on, no new run started";
  } else if (!started->run) {
    answer["note"] = "the message is saved; no agent run was started (agents are not available)";
  }
  c.send(answer.dump());
}

asio::awaitable<void> ChatSocket::start_agent(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id", "user_request"}))
    co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  auto request = required_text(payload, "user_request");
  if (!request) co_return answer_field(c, request.error());
  agents::RunAsk ask{c.user_id(), thread_id.value(), std::move(request.value()),
                     /*chat_message=*/false};
  auto started = co_await runs_.start(std::move(ask), store_deadline());
  if (!started) co_return answer_store_error(c, started.error(), "THREAD_NOT_FOUND", "RUN_ACTIVE");
  // A refused run's agent_error is its answer. An admitted one is acknowledged with its id, so a
  // client can stop a run that waits in the queue; its events follow.
  const auto state = agents::agent_state(started.value());
  if (state != "started" && state != "queued") co_return;
  c.send(json{{"type", "run_accepted"},
              {"run_id", started->run->id},
              {"thread_id", started->run->thread_id},
              {"message_id", started->request.id},
              {"status", state}}
             .dump());
}

asio::awaitable<void> ChatSocket::stop_agent(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"run_id"})) co_return answer_field(c, *bad);
  auto run_id = optional_id(payload, "run_id", chat::IdKind::run);
  if (!run_id) co_return answer_field(c, run_id.error());
  if (!run_id.value()) co_return answer_field(c, {"run_id", "required, a run id"});
  auto stopped = co_await runs_.stop(c.user_id(), *run_id.value(), store_deadline());
  if (!stopped) co_return answer_store_error(c, stopped.error(), "RUN_NOT_FOUND", "RUN_NOT_ACTIVE");
  // Running here: it ends before its next step, and its agent_error CANCELLED says so.
  c.send(json{{"type", "agent_stopped"},
              {"run_id", stopped->run.id},
              {"status", stopped->stopping_here ? "cancelling" : "cancelled"}}
             .dump());
}

asio::awaitable<void> ChatSocket::switch_thread(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id"})) co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  if (!thread_id.value()) co_return answer_field(c, {"thread_id", "required, a thread id"});
  auto thread = co_await chat_->threads.get(c.user_id(), *thread_id.value(), store_deadline());
  if (!thread) co_return answer_store_error(c, thread.error(), "THREAD_NOT_FOUND");
  boost::json::object switched;
  switched.emplace("thread", thread_json(thread.value()));
  switched.emplace("type", "thread_switched");
  c.send(boost::json::serialize(switched));
}

asio::awaitable<void> ChatSocket::create_thread(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"title", "metadata"})) co_return answer_field(c, *bad);
  auto title = optional_title(payload);
  if (!title) co_return answer_field(c, title.error());
  chat::NewThread thread;
  thread.title = std::move(title.value());
  if (auto it = payload.find("metadata"); it != payload.end() && !it->is_null()) {
    thread.metadata = *it;  // the store checks it is an object within its size
  }
  auto created = co_await chat_->threads.create(c.user_id(), std::move(thread), store_deadline());
  if (!created) co_return answer_store_error(c, created.error(), "THREAD_NOT_FOUND");
  thread_events_->created(created.value());  // this socket's answer, and every other's news
}

asio::awaitable<void> ChatSocket::list_threads(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"limit", "offset"})) co_return answer_field(c, *bad);
  auto limit = optional_count(payload, "limit", 20, 1, chat::kMaxPageLimit);
  if (!limit) co_return answer_field(c, limit.error());
  auto offset = optional_count(payload, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) co_return answer_field(c, offset.error());
  auto page =
      co_await chat_->threads.list(c.user_id(), limit.value(), offset.value(), store_deadline());
  if (!page) co_return answer_store_error(c, page.error(), "THREAD_NOT_FOUND");
  boost::json::array threads;
  for (const auto& thread : page->threads) threads.push_back(thread_json(thread));
  boost::json::object listed;
  listed.emplace("type", "thread_list");
  listed.emplace("threads", std::move(threads));
  listed.emplace("total", page->total);
  listed.emplace("limit", limit.value());
  listed.emplace("offset", offset.value());
  c.send(boost::json::serialize(listed));
}

asio::awaitable<void> ChatSocket::rename_thread(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id", "title"})) co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  if (!thread_id.value()) co_return answer_field(c, {"thread_id", "required, a thread id"});
  auto title = payload.find("title");
  if (title == payload.end() || !title->is_string()) {
    co_return answer_field(c, {"title", "required, a string"});
  }
  chat::ThreadUpdate update;
  update.title = title->get<std::string>();
  auto renamed = co_await chat_->threads.update(c.user_id(), *thread_id.value(), std::move(update),
                                                store_deadline());
  if (!renamed) co_return answer_store_error(c, renamed.error(), "THREAD_NOT_FOUND");
  thread_events_->renamed(renamed.value());
}

asio::awaitable<void> ChatSocket::delete_thread(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id"})) co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  if (!thread_id.value()) co_return answer_field(c, {"thread_id", "required, a thread id"});
  auto archived =
      co_await chat_->threads.archive(c.user_id(), *thread_id.value(), store_deadline());
  if (!archived) co_return answer_store_error(c, archived.error(), "THREAD_NOT_FOUND");
  thread_events_->deleted(c.user_id(), *thread_id.value());
}

asio::awaitable<void> ChatSocket::thread_history(Connection& c, const json& payload) {
  if (auto bad = unknown_field(payload, {"thread_id", "before", "limit"}))
    co_return answer_field(c, *bad);
  auto thread_id = optional_id(payload, "thread_id", chat::IdKind::thread);
  if (!thread_id) co_return answer_field(c, thread_id.error());
  if (!thread_id.value()) co_return answer_field(c, {"thread_id", "required, a thread id"});
  auto before = optional_id(payload, "before", chat::IdKind::message);
  if (!before) co_return answer_field(c, before.error());
  auto limit = optional_count(payload, "limit", 50, 1, chat::kMaxPageLimit);
  if (!limit) co_return answer_field(c, limit.error());
  auto history = co_await chat_->messages.history(c.user_id(), *thread_id.value(), before.value(),
                                                  limit.value(), store_deadline());
  if (!history) co_return answer_store_error(c, history.error(), "THREAD_NOT_FOUND");
  json messages = json::array();
  for (const auto& message : history->messages) messages.push_back(message_json(message));
  c.send(json{{"type", "thread_history"},
              {"thread_id", *thread_id.value()},
              {"messages", std::move(messages)},
              {"has_more", history->has_more},
              {"total", history->total}}
             .dump());
}

}  // namespace netra::api
