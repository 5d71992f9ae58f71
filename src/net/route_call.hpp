// call_route: a route of the router called in this process, as an authenticated caller, the way
// the server calls it once it has read the request: the route's component gate, the caller's API
// key scopes, its body limit and admission, its path parameters, then its handler. What another
// surface (the MCP server's tools) offers of the REST API is the REST route itself, so that each
// operation keeps one implementation: its validation, limits, cache and errors.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "net/http_message.hpp"
#include "net/route_access.hpp"
#include "net/router.hpp"

namespace netra::net {

struct RouteCall {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, encoded as in a request line: "/api/threads?limit=5"
  std::string body{};
};

// Answers as the route would answer `caller` (an authenticated request: its user, login, API key
// and scopes, request id and address are used) — 404 or 405 for a target no route serves, 413
// past the route's body limit. Runs on the caller's coroutine, under its deadline.
boost::asio::awaitable<HttpResponse> call_route(const Router& router,
                                                const ComponentAvailability& availability,
                                                RouteCall call, const HttpRequest& caller);

}  // namespace netra::net
