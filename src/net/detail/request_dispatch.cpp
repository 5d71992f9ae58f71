#include "net/detail/request_dispatch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/id.hpp"
#include "core/labelled_executor.hpp"
#include "core/loop_activity.hpp"
#include "net/bearer_token.hpp"
#include "net/cors.hpp"
#include "net/json_error.hpp"
#include "net/route_access.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/trace_scope.hpp"

namespace netra::net::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct HandlerRun {
  explicit HandlerRun(const asio::any_io_executor& ex) : done(ex) {}
  std::optional<HttpResponse> result;
  asio::steady_timer done;
  asio::cancellation_signal signal;
};

asio::awaitable<HttpResponse> invoke(const Route& route, std::shared_ptr<HttpRequest> request) {
  HttpResponse response = co_await route.handler(*request);
  co_return response;
}

}  // namespace

std::string new_request_id() {
  return core::make_id("req");
}

std::string request_id_from(std::string_view given) {
  // Echoed only if it is short and printable: it ends up in logs.
  if (given.empty() || given.size() > 128) return new_request_id();
  for (char c : given) {
    if (c <= 0x20 || c >= 0x7f) return new_request_id();
  }
  return std::string(given);
}

// What is decided from the header, before the body is read: for a route that authenticates or
// admits, its component gate, who the caller is, and the route's admission. An answer here is
// sent without reading the body (and closes the connection); nullopt: read it. Other requests,
// and paths no route has, are decided after the body as before.
asio::awaitable<std::optional<HttpResponse>> RequestDispatch::before_body(
    HttpRequest& request, const Router::Match& match, std::optional<uint64_t> length,
    std::string& route_label) {
  if (!decides_before_body(match)) co_return std::nullopt;
  const Route& route = *match.route;
  route_label = route.label;
  if (auto closed = gate(route)) co_return closed;
  if (route.options.authenticated) {
    if (auto refused = co_await authenticate(request, route)) co_return refused;
    request.authenticated = true;
  }
  if (route.options.admit) {
    auto admitted = route.options.admit(request, length);
    if (!admitted) co_return std::move(admitted.error());
    request.admission = std::move(admitted.value());
  }
  co_return std::nullopt;
}

// 503 with Retry-After while the component the route needs cannot serve it; nullopt when it can.
std::optional<HttpResponse> RequestDispatch::gate(const Route& route) const {
  return component_gate(route, hooks_.component_unavailable);
}

// The body limit of the route a request header is for: the server's unless the route sets one.
size_t RequestDispatch::body_limit_of(const Router::Match& match) const {
  if (match.outcome != Router::Outcome::found || match.route->options.body_limit == 0) {
    return settings_.body_limit;
  }
  return match.route->options.body_limit;
}

std::optional<HttpResponse> RequestDispatch::answer_at_once(HttpRequest& request,
                                                            Router::Match& match,
                                                            std::string& route_label) const {
  if (CorsPolicy::is_preflight(request)) {
    route_label = "OPTIONS (CORS preflight)";
    return settings_.cors.preflight(request, router_);
  }
  if (match.outcome == Router::Outcome::not_found) {
    return json_error(404, "not_found", "no route for " + request.path);
  }
  if (match.outcome == Router::Outcome::method_not_allowed) {
    auto response = json_error(405, "method_not_allowed",
                               request.method + " is not allowed on " + request.path);
    response.with_header("Allow", match.allow);
    return response;
  }
  const Route& route = *match.route;
  route_label = route.label;
  if (auto closed = gate(route)) return closed;
  if (!route.answer || (route.options.authenticated && !request.authenticated)) return std::nullopt;
  if (auto refused = refuse_origin(route, request)) return refused;
  request.path_params = std::move(match.params);
  core::ActivityScope scope(route.label.c_str());  // labelled for the watchdog, as handlers are
  return route.answer(request);
}

std::optional<HttpResponse> RequestDispatch::refuse_origin(const Route& route,
                                                           const HttpRequest& request) const {
  if (route.options.listed_origins_only) return settings_.cors.refuse_unlisted(request);
  if (route.options.event_stream) return settings_.cors.refuse_channel(request);
  return std::nullopt;
}

// answer_at_once has matched the route, set the label and found the gate open.
asio::awaitable<HttpResponse> RequestDispatch::answer_later(std::shared_ptr<HttpRequest> request,
                                                            Router::Match match) {
  const Route& route = *match.route;
  if (route.options.authenticated && !request->authenticated) {
    auto refused = co_await authenticate(*request, route);
    if (refused) co_return std::move(*refused);
  }
  if (auto refused = refuse_origin(route, *request)) co_return std::move(*refused);
  request->path_params = std::move(match.params);
  if (route.answer) {
    core::ActivityScope scope(route.label.c_str());
    co_return route.answer(*request);
  }
  co_return co_await run_handler(route, std::move(request));
}

// An upgrade goes through when the route at its path exists for GET and its component is
// ready; otherwise the request is dispatched like any other and answered by the route's gate.
bool RequestDispatch::upgrade_allowed(const HttpRequest& request) const {
  auto match = router_.match("GET", request.path);
  if (match.outcome != Router::Outcome::found) return false;
  const auto& needs = match.route->options.needs_component;
  return needs.empty() || !hooks_.component_unavailable || !hooks_.component_unavailable(needs);
}

// Sets request.user_id, or answers 401/503. The token itself never reaches a log line.
asio::awaitable<std::optional<HttpResponse>> RequestDispatch::authenticate(HttpRequest& request,
                                                                           const Route& route) {
  constexpr size_t kMaxToken = 8 * 1024;
  auto challenge = [](HttpResponse r) {
    r.with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
  };
  const auto bearer = bearer_token(request.header("authorization"));
  if (!bearer) {
    co_return challenge(json_error(401, "unauthenticated", "an access token is required"));
  }
  const auto token = *bearer;
  if (token.size() > kMaxToken)
    co_return challenge(json_error(401, "invalid_token", "the token is not valid"));
  if (!hooks_.authenticate) {
    co_return json_error(503, "auth_unavailable", "token verification is not available yet")
        .with_header("Retry-After", "1");
  }
  auto outcome = co_await hooks_.authenticate(std::string(token));
  using Kind = ServerHooks::AuthOutcome::Kind;
  if (outcome.kind == Kind::unavailable) {
    co_return json_error(503, "auth_unavailable", "token verification is not available yet")
        .with_header("Retry-After", "1");
  }
  if (outcome.kind == Kind::invalid) {
    log_->info("rid={} refused a token: {}", request.request_id, outcome.reason);
    co_return challenge(json_error(401, "invalid_token", "the token is not valid"));
  }
  if (outcome.kind == Kind::rate_limited) {
    log_->info("rid={} key={} refused: {}", request.request_id, outcome.api_key_id, outcome.reason);
    co_return json_error(429, "rate_limited",
                         "this API key is over its request rate; try again later")
        .with_header("Retry-After", std::to_string(outcome.retry_after.count()));
  }
  if (!outcome.api_key_id.empty()) {
    if (auto refused = refuse_key(outcome.scopes, route)) {
      log_->info("rid={} key={} refused on \"{}\": no {} scope", request.request_id,
                 outcome.api_key_id, route.label,
                 route.options.key_scope.empty() ? "key" : route.options.key_scope);
      co_return refused;
    }
  }
  request.user_id = std::move(outcome.user_id);
  request.token_expires_at = outcome.expires_at;
  request.session_id = std::move(outcome.session_id);
  request.api_key_id = std::move(outcome.api_key_id);
  request.api_key_scopes = std::move(outcome.scopes);
  co_return std::nullopt;
}

// The handler runs as its own coroutine so that, past the deadline, it is cancelled and
// abandoned: the client gets 504 at once even if the handler ignores cancellation.
asio::awaitable<HttpResponse> RequestDispatch::run_handler(const Route& route,
                                                           std::shared_ptr<HttpRequest> request) {
  auto executor = co_await asio::this_coro::executor;
  auto run = std::make_shared<HandlerRun>(executor);
  const std::string rid = request->request_id;
  // Labelled for the watchdog, and in the request's trace for the spans and log lines of
  // everything the handler does.
  auto scope = telemetry::scope_of(request->trace, hooks_.tracer);
  asio::co_spawn(
      telemetry::trace_executor(core::label_executor(executor, route.label.c_str()),
                                std::move(scope)),
      invoke(route, std::move(request)),
      asio::bind_cancellation_slot(
          run->signal.slot(), [run, log = log_, rid, label = route.label](std::exception_ptr error,
                                                                          HttpResponse response) {
            if (run->result) return;  // already answered 504
            if (error) {
              try {
                std::rethrow_exception(error);
              } catch (const std::exception& e) {
                log->error("rid={} route=\"{}\" handler threw: {}", rid, label, e.what());
              } catch (...) {
                log->error("rid={} route=\"{}\" handler threw a non-exception", rid, label);
              }
              response = json_error(500, "internal_error", "internal error; request id " + rid);
            }
            run->result = std::move(response);
            run->done.cancel();
          }));
  run->done.expires_after(settings_.request_deadline);
  co_await run->done.async_wait(use_tuple);
  if (!run->result) {
    run->signal.emit(asio::cancellation_type::terminal);
    run->result = json_error(504, "deadline_exceeded",
                             "the request did not finish within " +
                                 std::to_string(settings_.request_deadline.count()) + " ms");
    log_->warn("rid={} route=\"{}\" exceeded its {} ms deadline; abandoned", rid, route.label,
               settings_.request_deadline.count());
  }
  co_return std::move(*run->result);
}

}  // namespace netra::net::detail
