// HttpServer's transport: accept, read, write, sweep — the one translation unit that holds Beast's
// HTTP code (acceptor, connections, sessions); what happens to a request between its header and
// its response is net/detail/request_dispatch. Over 400 lines because a connection's session is
// one coroutine over Beast's parser, kept in this unit so that Beast compiles once.
#include "net/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/event_loops.hpp"
#include "core/task_failures.hpp"
#include "net/detail/beast_names.hpp"
#include "net/detail/request_dispatch.hpp"
#include "net/detail/request_parser.hpp"
#include "net/detail/websocket_upgrade.hpp"
#include "net/json_error.hpp"
#include "net/response_stream.hpp"
#include "net/websocket_server.hpp"
#include "telemetry/logging.hpp"

namespace netra::net {

using namespace std::chrono;

namespace {

// The target as the access log shows it: the values of query parameters that are credentials
// (a WebSocket ticket, a token in a URL, an OpenID sign-in's authorization code and state) are
// replaced by ***.
std::string loggable_target(const HttpRequest& request) {
  if (request.query.empty()) return request.target;
  static constexpr std::string_view kSecret[] = {"ticket",   "token", "access_token",
                                                 "password", "code",  "state"};
  std::string out = request.target.substr(0, request.target.find('?') + 1);
  std::string_view query = request.query;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const bool secret =
        eq != std::string_view::npos &&
        std::find(std::begin(kSecret), std::end(kSecret), name) != std::end(kSecret);
    out += secret ? std::string(name) + "=***" : std::string(pair);
    if (amp == std::string_view::npos) break;
    out += '&';
    query.remove_prefix(amp + 1);
  }
  return out;
}

// An error body (json_error's {"error":{...}}) gets the request's trace id as error.trace_id,
// here in one place rather than in every route: whoever reports an error quotes the id that
// finds it in the logs and the trace.
void with_trace_id(const HttpRequest& request, HttpResponse& response) {
  static constexpr std::string_view kErrorObject = R"({"error":{)";
  if (response.status < 400 || !response.body.starts_with(kErrorObject)) return;
  std::string field = R"("trace_id":")";
  field += request.trace.trace();
  const bool empty_object =
      response.body.size() > kErrorObject.size() && response.body[kErrorObject.size()] == '}';
  field += empty_object ? "\"" : "\",";
  response.body.insert(kErrorObject.size(), field);
}

// Feeds buffered bytes to the parser, up to the end of the header only when `header_only` (the
// parser must not be eager then); need_more is not an error here.
beast::error_code parse_buffered(detail::RequestParser& parser, beast::flat_buffer& buffer,
                                 bool header_only = false) {
  beast::error_code ec;
  auto finished = [&] { return header_only ? parser.is_header_done() : parser.is_done(); };
  while (buffer.size() > 0 && !finished()) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) return {};
    if (ec || used == 0) return ec;
  }
  return ec;
}

// `body_limit`: the limit of the request's route, which the 413 names.
HttpResponse read_error_response(const beast::error_code& ec, const ServerSettings& s,
                                 size_t body_limit) {
  if (ec == http::error::body_limit) {
    return json_error(413, "payload_too_large",
                      "request body exceeds " + std::to_string(body_limit) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return json_error(431, "headers_too_large",
                      "request headers exceed " + std::to_string(s.header_limit) + " bytes");
  }
  return json_error(400, "bad_request", "malformed HTTP request: " + ec.message());
}

// The methods any route may have. Anything else is answered 501 before routing and counted as
// "other": a method is the client's free text, and as a metric label every new one would be a
// new series that is never dropped.
bool implemented(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::patch:
    case http::verb::delete_:
    case http::verb::options:
      return true;
    default:
      return false;
  }
}

std::string method_label(std::string_view method) {
  return implemented(http::string_to_verb(method)) ? std::string(method) : std::string("other");
}

}  // namespace

// The time a loop's sweeper last looked, plus one tick: what deadlines are counted from, so that
// arming one is a store, not a clock read (three clock reads a request were 1.3 % of the server's
// CPU on /health/live). A deadline then passes between its limit and two ticks later.
struct LoopClock {
  std::atomic<steady_clock::time_point> sweep_horizon{steady_clock::now()};
};

// One client connection; lives on one event loop, touched only from its thread.
struct Connection {
  Connection(tcp::socket s, size_t loop_index, const LoopClock& clock)
      : socket(std::move(s)), loop(loop_index), loop_clock(clock) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (!ec) {
      remote_address = remote.address().to_string();
      remote_port = remote.port();
    }
  }

  // Past `limit` the loop's sweeper cancels (without closing) the socket's pending I/O, so the
  // session can still answer 408. A deadline, not a timer: nothing to schedule per request.
  void arm(milliseconds limit) {
    timed_out = false;
    deadline = loop_clock.sweep_horizon.load(std::memory_order_relaxed) + limit;
  }
  void disarm() { deadline = steady_clock::time_point::max(); }

  tcp::socket socket;
  size_t loop;
  const LoopClock& loop_clock;
  steady_clock::time_point deadline = steady_clock::time_point::max();
  bool timed_out = false;
  bool idle = true;
  bool close_after_response = false;
  std::string remote_address;
  uint16_t remote_port = 0;
  std::string write_buffer;  // reused for every response on this connection
  // While a streamed response runs: wakes it to end (shutdown). Called on this loop only.
  std::function<void()> wake_stream;
};

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(core::EventLoops& loops, ServerSettings settings, const Router& router, ServerHooks hooks)
      : loops_(loops),
        settings_(std::move(settings)),
        router_(router),
        hooks_(std::move(hooks)),
        acceptor_(loops.context(0)),
        log_(telemetry::logger("http")),
        dispatch_(router_, hooks_, settings_, log_) {
    for (size_t i = 0; i < loops.size(); ++i)
      per_loop_.push_back(std::make_unique<LoopConnections>());
  }

  void listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(settings_.host, ec);
    if (ec) {
      throw std::system_error(ec, "server.host '" + settings_.host + "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, settings_.port);
    const std::string where = (address.is_v6() ? "[" + settings_.host + "]" : settings_.host) +
                              ":" + std::to_string(settings_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && address.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + where);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()),
                   core::detached_reporting("the HTTP accept loop"));
    // Timeouts are checked ten times per shortest limit (at most every 50 ms).
    const auto shortest = std::min(settings_.request_timeout, settings_.idle_timeout);
    const auto tick = std::clamp(shortest / 10, milliseconds(1), milliseconds(50));
    for (size_t i = 0; i < per_loop_.size(); ++i) {
      per_loop_[i]->clock.sweep_horizon.store(steady_clock::now() + tick);
      asio::co_spawn(loops_.context(i), sweep(shared_from_this(), i, tick),
                     core::detached_reporting("the HTTP connection sweeper"));
    }
  }

  void attach_websocket(std::string path, std::shared_ptr<WebSocketServer> websocket) {
    websocket_path_ = std::move(path);
    websocket_ = std::move(websocket);
  }

  uint16_t port() const { return port_; }
  size_t open_connections() const { return open_.load(); }
  std::optional<std::string> component_unavailable(const std::string& component) const {
    if (!hooks_.component_unavailable) return std::nullopt;
    return hooks_.component_unavailable(component);
  }
  size_t in_flight() const { return in_flight_.load(); }

  asio::awaitable<void> shutdown(milliseconds drain_timeout) {
    draining_ = true;
    if (websocket_) {
      co_await websocket_->close_all(CloseCode::going_away, "server shutting down", drain_timeout);
    }
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
    });
    close_idle_connections();
    const auto until = steady_clock::now() + drain_timeout;
    asio::steady_timer poll(co_await asio::this_coro::executor);
    while (open_.load() > 0 && steady_clock::now() < until) {
      poll.expires_after(milliseconds(5));
      co_await poll.async_wait(use_tuple);
      close_idle_connections();  // connections that finished a response since
    }
    stopped_ = true;
    if (open_.load() > 0) {
      log_->warn("closing {} connection(s) still busy after the {} ms drain timeout", open_.load(),
                 drain_timeout.count());
      for_each_connection([](Connection& c) {
        boost::system::error_code ignored;
        c.socket.close(ignored);
      });
    }
  }

 private:
  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    for (;;) {
      const size_t loop = self->loops_.next_index();
      auto [ec, socket] = co_await self->acceptor_.async_accept(
          self->loops_.context(loop).get_executor(), use_tuple);
      if (ec) {
        if (!self->acceptor_.is_open()) co_return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: back off instead of spinning.
          self->log_->error("accept failed: {}; pausing accepts for 50 ms", ec.message());
          asio::steady_timer pause(self->acceptor_.get_executor(), milliseconds(50));
          co_await pause.async_wait(use_tuple);
        }
        continue;
      }
      // Small writes go out at once: with Nagle's algorithm a WebSocket event written while the
      // previous one is unacknowledged waits for the peer's delayed ACK (~40 ms on Linux) — the
      // p99 of bench/event_latency.sh was 37 ms for that alone.
      boost::system::error_code ignored;
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(self, std::move(socket), loop),
                     core::detached_reporting("an HTTP connection"));
    }
  }

  // Counts the connection and registers it with its loop (for the sweeper and for shutdown) for as
  // long as the session lives. Runs on the connection's loop, like everything that touches it.
  // Also counts the connections of its peer address: `from_peer` is how many it has, this one
  // included.
  struct ConnectionGuard {
    ConnectionGuard(Impl& impl, Connection& c) : impl(impl), connection(c) {
      impl.open_.fetch_add(1);
      impl.per_loop_[c.loop]->connections.insert(&c);
      std::lock_guard lock(impl.per_address_mutex_);
      from_peer = ++impl.per_address_[c.remote_address];
    }
    ~ConnectionGuard() {
      impl.per_loop_[connection.loop]->connections.erase(&connection);
      impl.open_.fetch_sub(1);
      std::lock_guard lock(impl.per_address_mutex_);
      const auto found = impl.per_address_.find(connection.remote_address);
      if (found != impl.per_address_.end() && --found->second == 0) impl.per_address_.erase(found);
    }
    Impl& impl;
    Connection& connection;
    size_t from_peer = 0;
  };

  // One address may hold at most max_connections_per_address, so that a single client cannot
  // take every connection the server has; a trusted proxy carries many clients and is exempt.
  bool over_address_limit(const Connection& c, size_t from_peer) const {
    if (from_peer <= settings_.max_connections_per_address) return false;
    boost::system::error_code ec;
    const auto peer = asio::ip::make_address(c.remote_address, ec);
    return ec || !settings_.trusted_proxies.trusts(peer);
  }

  static asio::awaitable<void> session(std::shared_ptr<Impl> self, tcp::socket socket,
                                       size_t loop) {
    try {
      co_await self->serve_connection(
          std::make_shared<Connection>(std::move(socket), loop, self->per_loop_[loop]->clock));
    } catch (const std::exception& e) {
      self->log_->error("connection ended by an unexpected error: {}", e.what());
    }
  }

  asio::awaitable<void> serve_connection(std::shared_ptr<Connection> c) {
    ConnectionGuard guard(*this, *c);
    if (open_.load() > settings_.max_connections) {
      auto response = json_error(503, "too_many_connections",
                                 "the server holds its maximum of " +
                                     std::to_string(settings_.max_connections) + " connections");
      response.close = true;
      co_await write(*c, response, 11, false, detail::new_request_id());
      co_return;
    }
    if (over_address_limit(*c, guard.from_peer)) {
      auto response =
          json_error(503, "too_many_connections",
                     "this address holds its maximum of " +
                         std::to_string(settings_.max_connections_per_address) + " connections");
      response.with_header("Retry-After", "1");
      response.close = true;
      co_await write(*c, response, 11, false, detail::new_request_id());
      co_return;
    }
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      if (buffer.size() == 0) {
        // Idle between requests: wait for the first byte of the next one.
        if (draining_) co_return;
        c->idle = true;
        c->arm(first ? settings_.request_timeout : settings_.idle_timeout);
        auto [ec, n] = co_await c->socket.async_read_some(buffer.prepare(16 * 1024), use_tuple);
        c->disarm();
        c->idle = false;
        if (ec || n == 0) co_return;  // closed by the client, idle timeout, or shutdown
        buffer.commit(n);
      }
      first = false;

      detail::RequestParser parser;
      parser.header_limit(static_cast<std::uint32_t>(settings_.header_limit));
      // The header first (no limit yet: Content-Length is checked below against the limit of the
      // route the header names), then the body under that limit.
      parser.body_limit(boost::none);
      parser.eager(false);
      size_t body_limit = settings_.body_limit;
      // Usually the whole request is already buffered: parse it here and skip the asynchronous
      // reads (and their round trips through the scheduler).
      beast::error_code ec = parse_buffered(parser, buffer, /*header_only=*/true);
      if (!ec && !parser.is_header_done()) {
        c->arm(settings_.request_timeout);
        auto [read_ec, n] = co_await http::async_read_header(c->socket, buffer, parser, use_tuple);
        c->disarm();
        ec = read_ec;
      }
      if (!ec && !implemented(parser.method())) {
        // Before routing and before the body, which is left unread: the connection closes.
        auto response = json_error(501, "not_implemented",
                                   "this server does not implement "
                                   "that method");
        response.close = true;
        if (hooks_.observer) {
          hooks_.observer->request_started();
          hooks_.observer->request_finished("unmatched", "other", response.status, 0);
        }
        co_await write(*c, response, parser.version(), false, detail::new_request_id());
        co_return;
      }
      std::shared_ptr<HttpRequest> request;
      Router::Match match;
      if (!ec) {
        request = parser.request();
        complete_from_header(*request, *c);
        // The route, once: for the body's limit, the decisions before the body, and dispatch.
        match = router_.match(request->method, request->path);
        // Who is asking, and may they send this body? Decided before one byte of it is read.
        std::string route_label = "unmatched";
        const auto declared = parser.content_length();
        std::optional<uint64_t> length;  // unknown only for a chunked body
        if (declared) {
          length = *declared;
        } else if (!parser.chunked()) {
          length = 0;
        }
        std::optional<HttpResponse> early;
        if (detail::RequestDispatch::decides_before_body(match)) {
          early = co_await dispatch_.before_body(*request, match, length, route_label);
        }
        if (early) {
          early->close = true;  // the body is left unread
          if (hooks_.observer) {
            hooks_.observer->request_started();
            hooks_.observer->request_finished(route_label, method_label(request->method),
                                              early->status, 0);
            if (request->trace.sampled()) {
              hooks_.observer->request_traced(*request, route_label, early->status, 0);
            }
          }
          if (settings_.access_log) {
            log_->info("{} {} {} before its body rid={} trace={} route=\"{}\"", request->method,
                       loggable_target(*request), early->status, request->request_id,
                       request->trace.trace(), route_label);
          }
          settings_.cors.decorate(*request, *early);
          with_trace_id(*request, *early);
          const auto traceparent = request->trace.traceparent();
          co_await write(*c, *early, parser.version(), false, request->request_id,
                         {traceparent.data(), traceparent.size()});
          co_return;
        }
        if (request->header("expect") == "100-continue" && !parser.is_done()) {
          // The client waits for this before it sends the body it was just allowed to send.
          http::response<http::empty_body> go_on{http::status::continue_, parser.version()};
          auto [write_ec, written] = co_await http::async_write(c->socket, go_on, use_tuple);
          if (write_ec) co_return;
        }
      }
      if (!ec) {
        body_limit = dispatch_.body_limit_of(match);
        const auto length = parser.content_length();
        if (length && *length > body_limit) {
          ec = http::error::body_limit;
        } else {
          parser.body_limit(body_limit);  // counts down the chunks of a chunked body
          parser.eager(true);
          if (!parser.is_done()) ec = parse_buffered(parser, buffer);
        }
      }
      if (!ec && !parser.is_done()) {
        c->arm(settings_.request_timeout);
        auto [read_ec, n] = co_await http::async_read(c->socket, buffer, parser, use_tuple);
        c->disarm();
        ec = read_ec;
      }
      if (ec == http::error::end_of_stream) co_return;
      if (ec) {
        HttpResponse response =
            c->timed_out ? json_error(408, "request_timeout",
                                      "request not received within " +
                                          std::to_string(settings_.request_timeout.count()) + " ms")
                         : read_error_response(ec, settings_, body_limit);
        if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) co_return;
        response.close = true;
        const auto rid = detail::new_request_id();
        if (hooks_.observer) {
          hooks_.observer->request_started();  // paired, or the in-flight gauge drifts down
          hooks_.observer->request_finished("unmatched", "-", response.status, 0);
        }
        co_await write(*c, response, 11, false, rid);
        co_return;
      }

      const bool keep_alive = parser.keep_alive();
      const unsigned version = parser.version();
      const bool head = parser.method() == http::verb::head;

      // Beast's message only where its handshake needs one: a request that asks for an upgrade.
      std::optional<http::request<http::string_body>> message;
      if (websocket_ && !draining_ && request->path == websocket_path_ && parser.upgrade()) {
        message = parser.message();
      }
      const bool upgrade = message && beast::websocket::is_upgrade(*message);
      if (upgrade) {
        // Before the socket is handed over: a page of an unlisted origin gets no channel.
        if (auto refused = settings_.cors.refuse_channel(*request)) {
          refused->close = true;
          if (hooks_.observer) {
            hooks_.observer->request_started();
            hooks_.observer->request_finished("GET " + websocket_path_, "GET", refused->status, 0);
          }
          log_->info("rid={} refused a WebSocket handshake from origin {}", request->request_id,
                     request->header("origin"));
          with_trace_id(*request, *refused);
          const auto traceparent = request->trace.traceparent();
          co_await write(*c, *refused, version, false, request->request_id,
                         {traceparent.data(), traceparent.size()});
          co_return;
        }
      }
      if (upgrade && dispatch_.upgrade_allowed(*request)) {
        if (settings_.access_log) {
          log_->info("{} {} 101 rid={} route=\"upgrade {}\"", request->method,
                     loggable_target(*request), request->request_id, websocket_path_);
        }
        if (hooks_.observer) {
          hooks_.observer->request_started();
          hooks_.observer->request_finished("GET " + websocket_path_, "GET", 101, 0);
          if (request->trace.sampled()) {
            hooks_.observer->request_traced(*request, "GET " + websocket_path_, 101, 0);
          }
        }
        websocket_->take_over(detail::WebSocketUpgrade{std::move(c->socket), std::move(*message),
                                                       std::move(*request), hooks_.tracer,
                                                       hooks_.trace_sample_ratio});
        co_return;
      }

      const auto began = steady_clock::now();
      in_flight_.fetch_add(1);
      if (hooks_.observer) hooks_.observer->request_started();
      std::string route_label = "unmatched";
      // (Not a conditional expression: g++ 12 miscompiles a co_await inside one.)
      auto answered = dispatch_.answer_at_once(*request, match, route_label);
      if (!answered) answered = co_await dispatch_.answer_later(request, std::move(match));
      HttpResponse& response = *answered;
      in_flight_.fetch_sub(1);
      settings_.cors.decorate(*request, response);
      with_trace_id(*request, response);
      const auto traceparent = request->trace.traceparent();
      const std::string_view traceparent_text(traceparent.data(), traceparent.size());
      const double seconds = duration<double>(steady_clock::now() - began).count();
      if (hooks_.observer) {
        hooks_.observer->request_finished(route_label, method_label(request->method),
                                          response.status, seconds);
        if (request->trace.sampled()) {
          hooks_.observer->request_traced(*request, route_label, response.status, seconds);
        }
      }
      if (settings_.access_log) {
        log_->info("{} {} {} {:.2f}ms rid={} trace={} route=\"{}\"", request->method,
                   loggable_target(*request), response.status, seconds * 1000, request->request_id,
                   request->trace.trace(), route_label);
      }
      if (response.stream) {
        // Ends the connection: a stream runs until it ends, and nothing follows it.
        co_await stream(c, response, version, head, request->request_id, traceparent_text);
        boost::system::error_code ignored;
        c->socket.shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      const bool close = !keep_alive || response.close || draining_ || c->close_after_response;
      response.close = close;
      // The write awaited here rather than through write(): one coroutine frame less a request.
      c->arm(settings_.request_timeout);
      auto [write_ec, written] =
          co_await asio::async_write(c->socket,
                                     asio::buffer(serialize(*c, response, version, head,
                                                            request->request_id, traceparent_text)),
                                     use_tuple);
      c->disarm();
      if (write_ec || close) {
        boost::system::error_code ignored;
        c->socket.shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  // What the request's header says beyond its fields (the parser has set method, target and
  // headers): its path and query, its id, its trace, who sent it.
  void complete_from_header(HttpRequest& request, const Connection& c) {
    const auto q = request.target.find('?');
    request.path = url_decode(std::string_view(request.target).substr(0, q), false);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    const auto given_id = request.header("x-request-id");
    request.request_id = detail::request_id_from(given_id);
    request.trace = telemetry::continue_or_start(
        request.header("traceparent"), request.header("tracestate"), hooks_.trace_sample_ratio);
    request.remote_address = settings_.trusted_proxies.client_of(c.remote_address, request);
    request.remote_port = c.remote_port;
  }

  // Writes the response under the request timeout; false if the client went away. Serialised by
  // hand into one buffer: a handful of headers does not need Beast's serializer.
  asio::awaitable<bool> write(Connection& c, const HttpResponse& response, unsigned version,
                              bool head, const std::string& request_id,
                              std::string_view traceparent = {}) {
    c.arm(settings_.request_timeout);
    auto [ec, n] = co_await asio::async_write(
        c.socket, asio::buffer(serialize(c, response, version, head, request_id, traceparent)),
        use_tuple);
    c.disarm();
    co_return !ec;
  }

  // The whole response in c.write_buffer, which it returns.
  static const std::string& serialize(Connection& c, const HttpResponse& response, unsigned version,
                                      bool head, const std::string& request_id,
                                      std::string_view traceparent) {
    std::string& out = c.write_buffer;
    out.clear();
    serialize_head(out, response, version, request_id,
                   "Content-Length: " + std::to_string(response.body.size()), traceparent);
    if (!head) out += response.body;
    return out;
  }

  // The status line and headers; `framing` is the header that delimits the body (Content-Length,
  // Transfer-Encoding), or empty for a body that ends with the connection.
  static void serialize_head(std::string& out, const HttpResponse& response, unsigned version,
                             const std::string& request_id, std::string_view framing,
                             std::string_view traceparent) {
    out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out += http::obsolete_reason(static_cast<http::status>(response.status));
    out += "\r\nServer: netra\r\nContent-Type: ";
    out += response.content_type;
    out += "\r\nX-Request-Id: ";
    out += request_id;
    if (!traceparent.empty()) {
      out += "\r\ntraceparent: ";
      out += traceparent;
    }
    if (!framing.empty()) {
      out += "\r\n";
      out += framing;
    }
    for (const auto& [name, value] : response.headers) {
      out += "\r\n";
      out += name;
      out += ": ";
      out += value;
    }
    if (response.close) {
      out += "\r\nConnection: close";
    } else if (version == 10) {
      out += "\r\nConnection: keep-alive";
    }
    out += "\r\n\r\n";
  }

  // A streamed response on `c` (HTTP/1.1 chunks; an HTTP/1.0 client gets the body until the
  // connection closes): the header, then what the stream writes, then the last chunk.
  class ConnectionStream final : public ResponseStream {
   public:
    ConnectionStream(Impl& impl, Connection& c, bool chunked, std::shared_ptr<bool> client_gone)
        : impl_(impl), c_(c), chunked_(chunked), client_gone_(std::move(client_gone)) {}
    asio::awaitable<bool> write(std::string_view data) override {
      if (data.empty()) co_return true;  // an empty chunk would end the body
      std::string& out = c_.write_buffer;
      out.clear();
      if (chunked_) out += fmt_hex(data.size()) + "\r\n";
      out += data;
      if (chunked_) out += "\r\n";
      c_.arm(impl_.settings_.request_timeout);
      auto [ec, n] = co_await asio::async_write(c_.socket, asio::buffer(out), use_tuple);
      c_.disarm();
      co_return !ec;
    }
    bool closing() const override {
      return impl_.draining_ || c_.close_after_response || *client_gone_;
    }
    void on_closing(std::function<void()> wake) override { c_.wake_stream = std::move(wake); }

   private:
    static std::string fmt_hex(size_t n) {
      char digits[20];
      const int length = std::snprintf(digits, sizeof digits, "%zx", n);
      return std::string(digits, static_cast<size_t>(length));
    }
    Impl& impl_;
    Connection& c_;
    bool chunked_;
    std::shared_ptr<bool> client_gone_;
  };

  // A stream only writes, so this read is what notices at once a client that closed (or
  // half-closed) its side, or sent anything at all (nothing is served after a stream): the stream
  // is woken to end. It ends when the stream's end cancels it.
  static asio::awaitable<void> watch_client(std::shared_ptr<Connection> c,
                                            std::shared_ptr<bool> gone) {
    char ignored[256];
    co_await c->socket.async_read_some(asio::buffer(ignored), use_tuple);
    *gone = true;
    if (c->wake_stream) c->wake_stream();
  }

  asio::awaitable<void> stream(std::shared_ptr<Connection> shared, HttpResponse& response,
                               unsigned version, bool head, const std::string& request_id,
                               std::string_view traceparent) {
    Connection& c = *shared;
    response.close = true;
    const bool chunked = version != 10;
    std::string& out = c.write_buffer;
    out.clear();
    serialize_head(out, response, version, request_id, chunked ? "Transfer-Encoding: chunked" : "",
                   traceparent);
    if (head) {
      // The header says what a GET would get; a HEAD's body is empty, its last chunk included.
      c.arm(settings_.request_timeout);
      co_await asio::async_write(c.socket, asio::buffer(out), use_tuple);
      c.disarm();
      co_return;
    }
    c.arm(settings_.request_timeout);
    auto [ec, n] = co_await asio::async_write(c.socket, asio::buffer(out), use_tuple);
    c.disarm();
    if (ec) co_return;
    auto client_gone = std::make_shared<bool>(false);
    asio::co_spawn(c.socket.get_executor(), watch_client(shared, client_gone),
                   core::detached_reporting("a stream's client watch"));
    ConnectionStream writer(*this, c, chunked, client_gone);
    try {
      co_await response.stream->run(writer);
    } catch (const std::exception& e) {
      log_->error("rid={} a streamed response ended by an error: {}", request_id, e.what());
    }
    c.wake_stream = nullptr;
    if (chunked) {
      c.arm(settings_.request_timeout);
      co_await asio::async_write(c.socket, asio::buffer(std::string_view("0\r\n\r\n")), use_tuple);
      c.disarm();
    }
    boost::system::error_code ignored;
    c.socket.cancel(ignored);  // ends watch_client
  }

  // Runs `f` on every open connection, each on its own loop.
  template <typename F>
  void for_each_connection(F f) {
    for (size_t i = 0; i < per_loop_.size(); ++i) {
      asio::post(loops_.context(i), [self = shared_from_this(), i, f] {
        // Copied first: `f` may end a session, which unregisters it.
        const std::vector<Connection*> all(self->per_loop_[i]->connections.begin(),
                                           self->per_loop_[i]->connections.end());
        for (Connection* c : all) {
          if (self->per_loop_[i]->connections.count(c)) f(*c);
        }
      });
    }
  }

  // Once per tick, on each loop: cancels the I/O of every connection past its deadline.
  static asio::awaitable<void> sweep(std::shared_ptr<Impl> self, size_t i, milliseconds tick) {
    asio::steady_timer timer(self->loops_.context(i));
    while (!self->stopped_) {
      timer.expires_after(tick);
      co_await timer.async_wait(use_tuple);
      const auto now = steady_clock::now();
      self->per_loop_[i]->clock.sweep_horizon.store(now + tick, std::memory_order_relaxed);
      for (Connection* c : self->per_loop_[i]->connections) {
        if (now < c->deadline) continue;
        c->timed_out = true;
        c->deadline = steady_clock::time_point::max();
        boost::system::error_code ignored;
        c->socket.cancel(ignored);
      }
    }
  }

  void close_idle_connections() {
    for_each_connection([](Connection& c) {
      c.close_after_response = true;
      if (c.idle) {
        boost::system::error_code ignored;
        c.socket.cancel(ignored);
      }
      if (c.wake_stream) c.wake_stream();  // a streamed response ends at its next turn
    });
  }

  core::EventLoops& loops_;
  ServerSettings settings_;
  const Router& router_;
  ServerHooks hooks_;
  std::string websocket_path_;
  std::shared_ptr<WebSocketServer> websocket_;
  tcp::acceptor acceptor_;
  std::shared_ptr<spdlog::logger> log_;
  uint16_t port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<size_t> open_{0};
  std::mutex per_address_mutex_;
  std::unordered_map<std::string, size_t> per_address_;  // open connections by peer address
  std::atomic<size_t> in_flight_{0};
  struct LoopConnections {
    std::unordered_set<Connection*> connections;  // touched only on that loop's thread
    LoopClock clock;
  };
  std::vector<std::unique_ptr<LoopConnections>> per_loop_;
  std::atomic<bool> stopped_{false};
  // Declared last: it refers to router_, hooks_, settings_ and log_.
  detail::RequestDispatch dispatch_;
};

HttpServer::HttpServer(core::EventLoops& loops, ServerSettings settings, const Router& router,
                       ServerHooks hooks)
    : impl_(std::make_shared<Impl>(loops, std::move(settings), router, std::move(hooks))) {}

HttpServer::~HttpServer() = default;

void HttpServer::attach_websocket(std::string path, std::shared_ptr<WebSocketServer> websocket) {
  impl_->attach_websocket(std::move(path), std::move(websocket));
}
void HttpServer::listen() {
  impl_->listen();
}
uint16_t HttpServer::port() const {
  return impl_->port();
}
asio::awaitable<void> HttpServer::shutdown(std::chrono::milliseconds drain_timeout) {
  auto impl = impl_;
  co_await impl->shutdown(drain_timeout);
}
size_t HttpServer::open_connections() const {
  return impl_->open_connections();
}
std::optional<std::string> HttpServer::component_unavailable(const std::string& component) const {
  return impl_->component_unavailable(component);
}
size_t HttpServer::requests_in_flight() const {
  return impl_->in_flight();
}

}  // namespace netra::net
