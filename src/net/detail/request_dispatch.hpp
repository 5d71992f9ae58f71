// RequestDispatch: what happens to a request between its header and its response, without the
// transport — the route's component gate, the caller's token, the route's admission of its body,
// and the handler under the request deadline (cancelled and answered 504 past it). HttpServer's
// transport (accept, read, write, sweep; Beast) calls it; nothing here knows about sockets.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_message.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace spdlog {
class logger;
}

namespace netra::net::detail {

namespace asio = boost::asio;

// A new request id: req_ and 22 base64url characters (core::make_id).
std::string new_request_id();
// The client's X-Request-Id when it is short and printable (it ends up in logs), else a new one.
std::string request_id_from(std::string_view given);

class RequestDispatch {
 public:
  RequestDispatch(const Router& router, const ServerHooks& hooks, const ServerSettings& settings,
                  std::shared_ptr<spdlog::logger> log)
      : router_(router), hooks_(hooks), settings_(settings), log_(std::move(log)) {}

  // What is decided from the header, before the body is read: for a route that authenticates or
  // admits, its component gate, who the caller is, and the route's admission. An answer here is
  // sent without reading the body (and closes the connection); nullopt: read it. Other requests,
  // and paths no route has, are decided after the body.
  asio::awaitable<std::optional<HttpResponse>> before_body(HttpRequest& request,
                                                           const Router::Match& match,
                                                           std::optional<uint64_t> length,
                                                           std::string& route_label);
  // Whether before_body has anything to decide for `match`: a route that authenticates or admits.
  // Checked first so that other requests (health probes) cost no coroutine frame for it.
  static bool decides_before_body(const Router::Match& match) {
    return match.outcome == Router::Outcome::found &&
           (match.route->options.authenticated || match.route->options.admit);
  }

  // The body limit of the route a request header is for: the server's unless the route sets one.
  size_t body_limit_of(const Router::Match& match) const;

  // The answer when nothing has to be awaited for it — a CORS preflight, 404, 405, a closed
  // component gate, an inline route's answer — or nullopt: then answer_later. Called first, so
  // that these answers cost no coroutine frame.
  std::optional<HttpResponse> answer_at_once(HttpRequest& request, Router::Match& match,
                                             std::string& route_label) const;

  // Only for a request answer_at_once left (a found route whose gate is open): the caller's
  // token if before_body has not checked it, the origin check, and the handler under its
  // deadline.
  asio::awaitable<HttpResponse> answer_later(std::shared_ptr<HttpRequest> request,
                                             Router::Match match);

  // An upgrade goes through when the route at its path exists for GET and its component is
  // ready; otherwise the request is dispatched like any other and answered by the route's gate.
  bool upgrade_allowed(const HttpRequest& request) const;

 private:
  std::optional<HttpResponse> gate(const Route& route) const;
  // The route's origin check (CorsPolicy), once the caller is known.
  std::optional<HttpResponse> refuse_origin(const Route& route, const HttpRequest& request) const;
  asio::awaitable<std::optional<HttpResponse>> authenticate(HttpRequest& request,
                                                            const Route& route);
  asio::awaitable<HttpResponse> run_handler(const Route& route,
                                            std::shared_ptr<HttpRequest> request);

  const Router& router_;
  const ServerHooks& hooks_;
  const ServerSettings& settings_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace netra::net::detail
