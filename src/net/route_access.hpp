// What lets a caller through to a route once it is authenticated, decided the same way for a
// request from the network (RequestDispatch) and for a route called in process (an MCP tool,
// net/route_call.hpp): the gate of the component the route needs, and an API key's scopes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/http_message.hpp"
#include "net/router.hpp"

namespace netra::net {

// Why a component cannot serve now ("starting", "degraded", ...), or nullopt when it is ready
// (ServerHooks::component_unavailable). Thread-safe, cheap.
using ComponentAvailability = std::function<std::optional<std::string>(const std::string&)>;

// 503 with Retry-After while the component the route needs cannot serve it (a degraded one serves
// a route that RouteOptions::serves_degraded); nullopt when it can, or when nothing is known.
std::optional<HttpResponse> component_gate(const Route& route,
                                           const ComponentAvailability& unavailable);

// 403 for an API key on a route its scopes do not reach (RFC 6750's insufficient_scope, with
// WWW-Authenticate), or on a route no key may call; nullopt when the key may.
std::optional<HttpResponse> refuse_key(const std::vector<std::string>& scopes, const Route& route);

// Both, for `route` called in process on behalf of `caller` (an authenticated request: its API
// key's scopes, if a key called): the answer that refuses it, or nullopt when it may go on.
std::optional<HttpResponse> refuse_call(const Route& route,
                                        const ComponentAvailability& availability,
                                        const HttpRequest& caller);

}  // namespace netra::net
