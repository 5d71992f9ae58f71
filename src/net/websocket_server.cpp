// The one translation unit that holds Beast's WebSocket code: sessions, their registry, limits.
// Over 400 lines because Beast stays in this one translation unit (it is slow to compile).
#include "net/websocket_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/id.hpp"
#include "core/task_failures.hpp"
#include "core/token_bucket.hpp"
#include "net/detail/beast_names.hpp"
#include "net/detail/websocket_upgrade.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/trace_scope.hpp"
#include "telemetry/tracer.hpp"

namespace netra::net {

namespace websocket = beast::websocket;
using namespace std::chrono;

namespace {

std::string_view describe(CloseCode code) {
  switch (code) {
    case CloseCode::normal:
      return "normal";
    case CloseCode::going_away:
      return "going away";
    case CloseCode::policy:
      return "policy";
    case CloseCode::too_big:
      return "too big";
    case CloseCode::try_again_later:
      return "try again later";
    case CloseCode::token_expired:
      return "token expired";
    case CloseCode::session_revoked:
      return "session revoked";
  }
  return "?";
}

// Counters read by stats(); relaxed atomics, written from every loop.
struct Counters {
  std::atomic<uint64_t> accepted{0}, refused{0}, over_limit{0}, closed_slow{0}, closed_too_big{0},
      closed_no_pong{0}, closed_expired{0}, closed_revoked{0}, messages_in{0}, messages_out{0},
      rate_limited{0};
};

}  // namespace

class Session;

class WebSocketServer::Impl : public std::enable_shared_from_this<WebSocketServer::Impl> {
 public:
  Impl(WebSocketSettings settings, WebSocketHandler& handler)
      : settings(std::move(settings)), handler(handler), log(telemetry::logger("websocket")) {}

  enum class Registered { ok, instance_full, user_full };
  Registered add(const std::shared_ptr<Session>& session, const std::string& user_id);
  void remove(const Session* session, const std::string& user_id);
  std::vector<std::shared_ptr<Session>> sessions_of(const std::string& user_id) const;
  std::vector<std::shared_ptr<Session>> all_sessions() const;
  size_t open() const {
    std::lock_guard lock(mutex);
    return all.size();
  }

  const WebSocketSettings settings;
  WebSocketHandler& handler;
  std::shared_ptr<spdlog::logger> log;
  Counters counters;
  std::atomic<bool> accepting{true};

 private:
  mutable std::mutex mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> all;
  std::unordered_map<std::string, std::vector<std::weak_ptr<Session>>> by_user;
};

// One upgraded connection. Everything but send() and close() runs on the connection's loop.
class Session final : public WebSocketConnection, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<WebSocketServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        ws_(std::move(socket)),
        id_(core::make_id("ws")),
        messages_(server_->settings.messages_per_second,
                  static_cast<double>(server_->settings.message_burst), steady_clock::now()) {}

  const std::string& id() const override { return id_; }
  const std::string& user_id() const override { return user_id_; }
  const std::string& session_id() const { return session_id_; }

  bool send(std::string text) override {
    if (closing_.load()) return false;
    const size_t size = text.size();
    // Over the bound only with something already waiting: one message bigger than the bound
    // still goes to a client that keeps up.
    const size_t before = queued_bytes_.fetch_add(size);
    if (before > 0 && before + size > server_->settings.max_queued_bytes) {
      queued_bytes_.fetch_sub(size);
      asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->close_slow(); });
      return false;
    }
    asio::dispatch(ws_.get_executor(),
                   [self = shared_from_this(), text = std::move(text)]() mutable {
                     self->enqueue(std::move(text));
                   });
    return true;
  }

  void close(CloseCode code, std::string reason, std::string message) override {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason),
                                        message = std::move(message)]() mutable {
      self->begin_close(code, std::move(reason), std::move(message));
    });
  }

  static asio::awaitable<void> run(std::shared_ptr<Session> self,
                                   detail::WebSocketUpgrade upgrade) {
    try {
      co_await self->serve(std::move(upgrade));
    } catch (const std::exception& e) {
      self->server_->log->error("{} ended by an unexpected error: {}", self->id_, e.what());
    }
    self->finished_ = true;
    if (self->expiry_ != nullptr) self->expiry_->cancel();  // it holds the session until it wakes
    if (self->registered_) self->server_->remove(self.get(), self->user_id_);
  }

 private:
  // The handler with the message; while tracing records, as the root span of a trace of its own
  // ("WebSocket message"), the statements and runs it starts its children.
  asio::awaitable<void> receive(std::string message) {
    auto self = shared_from_this();
    if (tracer_ == nullptr || !tracer_->recording()) {
      co_await server_->handler.received(std::move(self), std::move(message));
      co_return;
    }
    auto scope = telemetry::new_trace_scope(tracer_, trace_sample_ratio_);
    auto span =
        telemetry::ActiveSpan::root(scope, "WebSocket message", telemetry::SpanKind::server);
    span.set("netra.connection_id", id_);
    span.set("messaging.message.body.size", static_cast<int64_t>(message.size()));
    auto traced = telemetry::trace_executor(ws_.get_executor(), std::move(scope));
    auto work = server_->handler.received(std::move(self), std::move(message));
    co_await asio::co_spawn(traced, std::move(work), asio::use_awaitable);
  }

  asio::awaitable<void> serve(detail::WebSocketUpgrade upgrade) {
    auto& server = *server_;
    tracer_ = upgrade.tracer;
    trace_sample_ratio_ = upgrade.trace_sample_ratio;
    const auto& settings = server.settings;
    WebSocketAdmission admission;
    try {
      admission = co_await server.handler.admit(upgrade.request);
    } catch (const std::exception& e) {
      admission.kind = WebSocketAdmission::Kind::unavailable;
      admission.reason = std::string("admission failed: ") + e.what();
    }
    user_id_ = admission.user_id;
    session_id_ = admission.session_id;

    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = settings.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(settings.max_message_bytes);
    if (!admission.subprotocol.empty()) {
      // The exact subprotocol the client offered: a browser fails a handshake that selects none.
      ws_.set_option(websocket::stream_base::decorator(
          [protocol = admission.subprotocol](websocket::response_type& response) {
            response.set(beast::http::field::sec_websocket_protocol, protocol);
          }));
    }
    auto [accept_ec] = co_await ws_.async_accept(upgrade.message, use_tuple);
    if (accept_ec) {
      server.log->info("handshake from {} failed: {}", upgrade.request.remote_address,
                       accept_ec.message());
      co_return;
    }

    using Kind = WebSocketAdmission::Kind;
    if (admission.kind != Kind::accepted && admission.kind != Kind::user_full) {
      server.counters.refused.fetch_add(1, std::memory_order_relaxed);
      const bool unavailable = admission.kind == Kind::unavailable;
      server.log->info("refused a socket from {}: {}", upgrade.request.remote_address,
                       admission.reason);
      const std::string code = unavailable ? "AUTH_UNAVAILABLE" : "AUTH_FAILED";
      begin_close(unavailable ? CloseCode::try_again_later : CloseCode::policy, code,
                  server.handler.refusal(code, unavailable ? "authentication is unavailable now"
                                                           : "authentication failed"));
      co_await read_until_closed();
      co_return;
    }
    using Registered = WebSocketServer::Impl::Registered;
    const auto added = !server.accepting ? Registered::instance_full
                       : admission.kind == Kind::user_full
                           ? Registered::user_full
                           : server.add(shared_from_this(), user_id_);
    if (added != Registered::ok && !server.accepting) {
      begin_close(CloseCode::going_away, "server shutting down", {});
      co_await read_until_closed();
      co_return;
    }
    if (added != Registered::ok) {
      server.counters.over_limit.fetch_add(1, std::memory_order_relaxed);
      const bool user_full = added == Registered::user_full;
      const std::string message =
          !user_full ? "the server holds its maximum of " +
                           std::to_string(settings.max_connections) + " sockets"
          : admission.kind == Kind::user_full
              ? admission.reason
              : "at most " + std::to_string(settings.max_connections_per_user) +
                    " sockets per user";
      server.log->warn("turned away a socket of {}: {}", user_id_, message);
      begin_close(user_full ? CloseCode::policy : CloseCode::try_again_later,
                  "TOO_MANY_CONNECTIONS", server.handler.refusal("TOO_MANY_CONNECTIONS", message));
      co_await read_until_closed();
      co_return;
    }
    registered_ = true;
    server.counters.accepted.fetch_add(1, std::memory_order_relaxed);
    // Open: a ping after every interval, and the socket closed when a whole interval after a ping
    // brings nothing from the client.
    timeouts.idle_timeout = 2 * settings.ping_interval;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    server.log->info("{} opened for {} from {}", id_, user_id_, upgrade.request.remote_address);
    if (admission.expires_at > 0) {
      asio::co_spawn(ws_.get_executor(), close_at_expiry(shared_from_this(), admission.expires_at),
                     core::detached_reporting("a socket's expiry timer"));
    }
    server.handler.opened(shared_from_this());
    co_await read_until_closed();
  }

  // Reads messages until the socket closes; passes them on unless the socket is closing.
  asio::awaitable<void> read_until_closed() {
    auto& server = *server_;
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, size] = co_await ws_.async_read(buffer, use_tuple);
      if (ec) {
        log_end(ec);
        co_return;
      }
      server.counters.messages_in.fetch_add(1, std::memory_order_relaxed);
      const bool text = ws_.got_text();
      std::string message = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      // An idle socket keeps no large buffer from one big message.
      if (buffer.capacity() > 4096) buffer.shrink_to_fit();
      if (closing_) continue;
      if (!take_token()) {
        server.counters.rate_limited.fetch_add(1, std::memory_order_relaxed);
        send(server.handler.rejection("RATE_LIMITED",
                                      "more than " + std::to_string(server.settings.message_burst) +
                                          " messages at once; slow down"));
        continue;
      }
      if (!text) {
        send(server.handler.rejection("BINARY_NOT_SUPPORTED", "messages are JSON text"));
        continue;
      }
      try {
        co_await receive(std::move(message));
      } catch (const std::exception& e) {
        server.log->error("{} message handler threw: {}", id_, e.what());
      }
    }
  }

  void log_end(const beast::error_code& ec) {
    auto& server = *server_;
    if (closing_ && (ec == websocket::error::closed || ec == asio::error::operation_aborted)) {
      server.log->info("{} closed by the server ({})", id_, close_reason_);
    } else if (ec == websocket::error::closed) {
      const auto& reason = ws_.reason();
      server.log->info("{} closed ({} {})", id_, static_cast<int>(reason.code),
                       std::string(reason.reason.data(), reason.reason.size()));
    } else if (ec == websocket::error::message_too_big) {
      server.counters.closed_too_big.fetch_add(1, std::memory_order_relaxed);
      server.log->warn("{} of {} sent a message over {} bytes; closed with 1009", id_, user_id_,
                       server.settings.max_message_bytes);
    } else if (ec == beast::error::timeout && !closing_) {
      server.counters.closed_no_pong.fetch_add(1, std::memory_order_relaxed);
      server.log->info("{} of {} answered no ping within {} ms; closed", id_, user_id_,
                       server.settings.ping_interval.count());
    } else {
      server.log->info("{} ended: {}", id_, ec.message());
    }
  }

  // message_burst at once, messages_per_second on average.
  bool take_token() { return messages_.take(1, steady_clock::now()).allowed; }

  void enqueue(std::string text) {
    if (closing_) {
      queued_bytes_.fetch_sub(text.size());
      return;
    }
    queue_.push_back(std::move(text));
    start_writing();
  }

  void start_writing() {
    if (writing_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_all(shared_from_this()),
                   core::detached_reporting("a socket's writer"));
  }

  // The one writer: queued messages in order, then the close frame if one is due.
  static asio::awaitable<void> write_all(std::shared_ptr<Session> self) {
    auto& ws = self->ws_;
    while (!self->queue_.empty()) {
      std::string message = std::move(self->queue_.front());
      self->queue_.pop_front();
      ws.text(true);
      auto [ec, n] = co_await ws.async_write(asio::buffer(message), use_tuple);
      self->queued_bytes_.fetch_sub(message.size());
      if (ec) {
        self->queue_.clear();
        self->writing_ = false;
        co_return;
      }
      self->server_->counters.messages_out.fetch_add(1, std::memory_order_relaxed);
    }
    if (self->close_code_) {
      websocket::close_reason reason(static_cast<websocket::close_code>(*self->close_code_),
                                     self->close_reason_);
      self->close_code_.reset();
      co_await ws.async_close(reason, use_tuple);
    }
    self->writing_ = false;
  }

  void begin_close(CloseCode code, std::string reason, std::string message) {
    if (closing_.exchange(true) || finished_) return;
    if (!message.empty()) {
      queued_bytes_.fetch_add(message.size());
      queue_.push_back(std::move(message));
    }
    close_code_ = code;
    close_reason_ = std::move(reason);
    start_writing();
    // A client that reads nothing cannot take the close frame either: past the handshake timeout
    // the connection is cut. (Beast bounds the close handshake itself with the same timeout.)
    asio::co_spawn(ws_.get_executor(),
                   cut_off_after(shared_from_this(), server_->settings.handshake_timeout),
                   core::detached_reporting("a socket's handshake timer"));
  }

  static asio::awaitable<void> cut_off_after(std::shared_ptr<Session> self, milliseconds limit) {
    asio::steady_timer timer(self->ws_.get_executor(), limit);
    co_await timer.async_wait(use_tuple);
    if (self->finished_ || !self->writing_) co_return;
    self->server_->log->warn("{} of {} took no close frame within {} ms; connection cut", self->id_,
                             self->user_id_, limit.count());
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).close(ignored);
  }

  // The socket lives as long as the credential it opened with, no longer.
  static asio::awaitable<void> close_at_expiry(std::shared_ptr<Session> self, int64_t expires_at) {
    const auto left = seconds(expires_at) - system_clock::now().time_since_epoch();
    asio::steady_timer timer(self->ws_.get_executor(), std::max<steady_clock::duration>(
                                                           left, steady_clock::duration::zero()));
    // Woken early by the socket's end (then it only lets go of the session).
    self->expiry_ = &timer;
    co_await timer.async_wait(use_tuple);
    self->expiry_ = nullptr;
    if (self->closing_ || self->finished_) co_return;
    auto& server = *self->server_;
    server.counters.closed_expired.fetch_add(1, std::memory_order_relaxed);
    server.log->info("{} of {}: its token expired; closing with 4001", self->id_, self->user_id_);
    self->begin_close(CloseCode::token_expired, "TOKEN_EXPIRED",
                      server.handler.rejection("TOKEN_EXPIRED",
                                               "the access token expired: refresh it and "
                                               "reconnect"));
  }

  // Its login was revoked: closed now, whatever its token's expiry.
  void close_revoked() {
    if (closing_ || finished_) return;
    auto& server = *server_;
    server.counters.closed_revoked.fetch_add(1, std::memory_order_relaxed);
    server.log->info("{} of {}: its login was revoked; closing with 4003", id_, user_id_);
    begin_close(
        CloseCode::session_revoked, "SESSION_REVOKED",
        server.handler.rejection("SESSION_REVOKED", "this login was revoked: sign in again"));
  }

  void close_slow() {
    if (closing_ || finished_) return;
    auto& server = *server_;
    server.counters.closed_slow.fetch_add(1, std::memory_order_relaxed);
    server.log->warn("{} of {} is not reading: over {} bytes queued; closing with 1013", id_,
                     user_id_, server.settings.max_queued_bytes);
    for (const auto& unsent : queue_) queued_bytes_.fetch_sub(unsent.size());
    queue_.clear();
    begin_close(CloseCode::try_again_later, "slow reader", {});
  }

  std::shared_ptr<WebSocketServer::Impl> server_;
  websocket::stream<tcp::socket> ws_;
  const std::string id_;
  const telemetry::Tracer* tracer_ = nullptr;  // from the upgrade (ServerHooks::tracer)
  double trace_sample_ratio_ = 0;
  std::string user_id_;
  std::string session_id_;
  asio::steady_timer* expiry_ = nullptr;  // the expiry wait, while it waits (on the loop)
  bool registered_ = false;
  bool finished_ = false;
  // Outbound, on the loop; queued_bytes_ also counts messages still being dispatched to it.
  std::deque<std::string> queue_;
  std::atomic<size_t> queued_bytes_{0};
  bool writing_ = false;
  std::atomic<bool> closing_{false};
  std::optional<CloseCode> close_code_;
  std::string close_reason_;
  core::TokenBucket messages_;

  friend class WebSocketServer;
};

WebSocketServer::Impl::Registered WebSocketServer::Impl::add(const std::shared_ptr<Session>& s,
                                                             const std::string& user_id) {
  std::lock_guard lock(mutex);
  if (all.size() >= settings.max_connections) return Registered::instance_full;
  auto& mine = by_user[user_id];
  std::erase_if(mine, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  if (mine.size() >= settings.max_connections_per_user) {
    if (mine.empty()) by_user.erase(user_id);
    return Registered::user_full;
  }
  mine.push_back(s);
  all.emplace(s.get(), s);
  return Registered::ok;
}

void WebSocketServer::Impl::remove(const Session* session, const std::string& user_id) {
  std::lock_guard lock(mutex);
  all.erase(session);
  auto it = by_user.find(user_id);
  if (it == by_user.end()) return;
  std::erase_if(it->second, [session](const std::weak_ptr<Session>& w) {
    auto s = w.lock();
    return !s || s.get() == session;
  });
  if (it->second.empty()) by_user.erase(it);
}

std::vector<std::shared_ptr<Session>> WebSocketServer::Impl::sessions_of(
    const std::string& user_id) const {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mutex);
  auto it = by_user.find(user_id);
  if (it == by_user.end()) return out;
  for (const auto& w : it->second) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::shared_ptr<Session>> WebSocketServer::Impl::all_sessions() const {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mutex);
  out.reserve(all.size());
  for (const auto& [_, w] : all) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

WebSocketServer::WebSocketServer(WebSocketSettings settings, WebSocketHandler& handler)
    : impl_(std::make_shared<Impl>(std::move(settings), handler)) {}

WebSocketServer::~WebSocketServer() = default;

size_t WebSocketServer::send_to_user(const std::string& user_id, const std::string& text) {
  size_t reached = 0;
  for (const auto& session : impl_->sessions_of(user_id)) {
    if (session->send(text)) ++reached;
  }
  return reached;
}

size_t WebSocketServer::connections() const {
  return impl_->open();
}

size_t WebSocketServer::connections_of(const std::string& user_id) const {
  return impl_->sessions_of(user_id).size();
}

const WebSocketSettings& WebSocketServer::settings() const {
  return impl_->settings;
}

WebSocketStats WebSocketServer::stats() const {
  const auto& c = impl_->counters;
  auto get = [](const std::atomic<uint64_t>& n) { return n.load(std::memory_order_relaxed); };
  WebSocketStats s;
  s.open = impl_->open();
  s.accepted = get(c.accepted);
  s.refused = get(c.refused);
  s.over_limit = get(c.over_limit);
  s.closed_slow = get(c.closed_slow);
  s.closed_too_big = get(c.closed_too_big);
  s.closed_no_pong = get(c.closed_no_pong);
  s.closed_expired = get(c.closed_expired);
  s.closed_revoked = get(c.closed_revoked);
  s.messages_in = get(c.messages_in);
  s.messages_out = get(c.messages_out);
  s.rate_limited = get(c.rate_limited);
  return s;
}

size_t WebSocketServer::close_session(const std::string& session_id) {
  if (session_id.empty()) return 0;
  size_t closed = 0;
  for (const auto& session : impl_->all_sessions()) {
    if (session->session_id() != session_id) continue;
    asio::dispatch(session->ws_.get_executor(), [session] { session->close_revoked(); });
    ++closed;
  }
  return closed;
}

asio::awaitable<void> WebSocketServer::close_all(CloseCode code, std::string reason,
                                                 milliseconds timeout) {
  auto impl = impl_;
  impl->accepting = false;
  auto sessions = impl->all_sessions();
  if (!sessions.empty()) {
    impl->log->info("closing {} socket(s) with {} ({})", sessions.size(), static_cast<int>(code),
                    describe(code));
  }
  for (const auto& s : sessions) s->close(code, reason, {});
  sessions.clear();
  const auto until = steady_clock::now() + timeout;
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (impl->open() > 0 && steady_clock::now() < until) {
    poll.expires_after(milliseconds(5));
    co_await poll.async_wait(use_tuple);
  }
  if (const size_t left = impl->open(); left > 0) {
    impl->log->warn("{} socket(s) still open after {} ms; cutting them", left, timeout.count());
    for (const auto& s : impl->all_sessions()) {
      asio::dispatch(s->ws_.get_executor(), [s] {
        beast::error_code ignored;
        beast::get_lowest_layer(s->ws_).close(ignored);
      });
    }
  }
}

void WebSocketServer::take_over(detail::WebSocketUpgrade&& upgrade) {
  auto executor = upgrade.socket.get_executor();
  auto session = std::make_shared<Session>(impl_, std::move(upgrade.socket));
  asio::co_spawn(executor, Session::run(std::move(session), std::move(upgrade)),
                 core::detached_reporting("a WebSocket session"));
}

}  // namespace netra::net
