// Router: maps a method and a path to a handler, with {name} path parameters. Unknown paths are
// 404, a known path with another method is 405 with Allow, and every GET route answers HEAD.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "net/http_message.hpp"

namespace netra::net {

namespace asio = boost::asio;

using Handler = std::function<asio::awaitable<HttpResponse>(HttpRequest&)>;
// A handler that answers at once from in-memory state (the health probes, static documents): it is
// called directly, without the coroutine frames and the deadline a Handler runs under — the
// hottest paths cost no allocation for them.
using InlineHandler = std::function<HttpResponse(HttpRequest&)>;

struct RouteOptions {
  // While this component is not ready the route answers 503 with Retry-After, naming it.
  // Empty for routes that never wait on a component (health probes).
  std::string needs_component{};
  // Requires `Authorization: Bearer <access token>`; the handler sees the caller in
  // HttpRequest::user_id. Refused with 401 and WWW-Authenticate otherwise.
  bool authenticated = false;
  // The API-key scope that lets a key call this authenticated route ("ingest", "read",
  // "agent"); a key without it gets 403 insufficient_scope. Empty: keys are refused (403
  // api_key_not_allowed) — managing keys, sessions and sockets takes a signed-in user.
  std::string key_scope{};
  // The route answers with an event stream (HttpResponse::stream): a browser page of an origin
  // CorsPolicy does not list is refused before the handler runs, as a WebSocket handshake is.
  bool event_stream = false;
  // Any request naming an Origin that CorsPolicy does not list is refused, the server's own host
  // included (CorsPolicy::refuse_unlisted): for /mcp, whose transport asks for that check.
  bool listed_origins_only = false;
  // The route serves while `needs_component` is degraded, because a fallback stands in for it
  // (workload analytics on the embedded store while ClickHouse is down): 503 only while it is
  // starting, stopping, stopped or disabled.
  bool serves_degraded = false;
  // The largest request body this route takes; 0: the server's body_limit. Checked against
  // Content-Length before the body is read, so a larger limit here costs no other route.
  size_t body_limit = 0;
  // Decides from the header alone — the authenticated caller and the body's declared length
  // (nullopt when chunked) — whether the body may be read at all: a refusal is answered before
  // one byte of it is read. What it returns is held in HttpRequest::admission until the request
  // is answered (a reservation of memory, say).
  using Admission = std::function<core::Result<std::shared_ptr<void>, HttpResponse>(
      const HttpRequest& head, std::optional<uint64_t> content_length)>;
  Admission admit = nullptr;
};

struct Route {
  std::string method{};
  std::string pattern{};  // "/api/threads/{id}"
  std::vector<std::string> segments{};
  Handler handler{};       // or:
  InlineHandler answer{};  // for a route added with an InlineHandler
  RouteOptions options{};
  std::string label{};  // "GET /api/threads/{id}": for metrics, logs and the watchdog
};

class Router {
 public:
  // Throws std::invalid_argument for a pattern that does not start with '/' or a duplicate.
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  void add(std::string method, std::string pattern, InlineHandler answer,
           RouteOptions options = {});

  enum class Outcome { found, not_found, method_not_allowed };
  struct Match {
    Outcome outcome = Outcome::not_found;
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::string allow;  // for method_not_allowed: "GET, HEAD, POST"
  };
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  void add(Route route);

  // Where a request's candidates are found without trying every route (a linear scan of the ~80
  // routes was 1,700 instructions per request on /api/workloads/summary): the routes without
  // parameters by their exact pattern, the others by their number of segments. Indices into
  // routes_, in the order added, so the first route added that matches still answers.
  struct LiteralRoute {
    size_t index;
    // A route with parameters added before it, of the same method, matches its path too (and so
    // answers it): only then is a path found here matched against the others as well.
    bool shadowed;
  };
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view path) const { return std::hash<std::string_view>{}(path); }
  };
  std::unordered_map<std::string, std::vector<LiteralRoute>, PathHash, std::equal_to<>>
      literal_routes_;
  std::vector<std::vector<size_t>> param_routes_by_segments_;
  std::vector<Route> routes_;
};

}  // namespace netra::net
