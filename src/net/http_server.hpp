// HttpServer: HTTP/1.1 with keep-alive on the event loops (Boost.Beast behind a pimpl). Every
// limit answers with its status and the JSON error body; every handler runs under a deadline and
// a watchdog label; shutdown drains in-flight requests and closes idle connections.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/router.hpp"
#include "net/server_settings.hpp"

namespace netra::core {
class EventLoops;
}

namespace netra::telemetry {
class Tracer;
}

namespace netra::net {

class WebSocketServer;

// What the server reports about each request, for metrics; called on event-loop threads.
class HttpObserver {
 public:
  virtual ~HttpObserver() = default;
  virtual void request_started() = 0;
  // `route` is the route label ("GET /health/live") or "unmatched".
  virtual void request_finished(const std::string& route, const std::string& method, int status,
                                double seconds) = 0;
  // A request of a sampled trace was answered after `seconds`: its server span ends now.
  virtual void request_traced(const HttpRequest& /*request*/, const std::string& /*route*/,
                              int /*status*/, double /*seconds*/) {}
};

struct ServerHooks {
  // Why a component a route needs cannot serve now ("starting", "degraded", ...), or nullopt
  // when it is ready. Thread-safe, cheap.
  std::function<std::optional<std::string>(const std::string& component)> component_unavailable;
  HttpObserver* observer = nullptr;
  // The share of traces started here that are sampled (tracing.sample_ratio); a caller's
  // traceparent decides for the traces it continues.
  double trace_sample_ratio = 1.0;
  // Where the spans a handler starts go (statements, outbound calls, agent runs); nullptr:
  // nowhere. Every handler runs in its request's telemetry::TraceScope either way, so that its
  // log lines carry the trace id.
  const telemetry::Tracer* tracer = nullptr;
  // Checks an access token for an authenticated route: the user id, or why it is refused. Absent
  // (or returning `unavailable`) while no key is loaded: 503 auth_unavailable. Never logs tokens.
  struct AuthOutcome {
    enum class Kind { ok, invalid, unavailable, rate_limited } kind = Kind::invalid;
    std::string user_id{};     // for ok
    std::string reason{};      // for the log
    int64_t expires_at = 0;    // for ok: when the token expires (Unix seconds)
    std::string session_id{};  // for ok: the login it belongs to, when the token names it
    // For ok with an API key: its id and scopes (RouteOptions::key_scope). Empty for an access
    // token, which may call every authenticated route.
    std::string api_key_id{};
    std::vector<std::string> scopes{};
    std::chrono::seconds retry_after{0};  // for rate_limited
  };
  // A coroutine: verifying may first fetch the signing keys from a separate auth service.
  std::function<asio::awaitable<AuthOutcome>(std::string token)> authenticate;
};

class HttpServer {
 public:
  // The router must not change after listen().
  HttpServer(core::EventLoops& loops, ServerSettings settings, const Router& router,
             ServerHooks hooks);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Upgrade requests for `path` go to `websocket` once the route there (which answers plain
  // requests) lets them through its component gate. Before listen().
  void attach_websocket(std::string path, std::shared_ptr<WebSocketServer> websocket);

  // Binds and starts accepting on the event loops. Throws std::system_error naming the address.
  void listen();
  uint16_t port() const;

  // Stops accepting, sends every WebSocket close 1001, answers what is in flight (with
  // Connection: close), closes idle connections at once, and waits up to `drain_timeout` for the
  // rest before closing them.
  asio::awaitable<void> shutdown(std::chrono::milliseconds drain_timeout);

  size_t open_connections() const;
  size_t requests_in_flight() const;
  // Why `component` cannot serve now, as the routes' gates see it (ServerHooks); for a route
  // called in process (net/route_call.hpp). Thread-safe.
  std::optional<std::string> component_unavailable(const std::string& component) const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace netra::net
