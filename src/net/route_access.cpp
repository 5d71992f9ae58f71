#include "net/route_access.hpp"

#include <algorithm>

#include "core/component_state.hpp"
#include "net/json_error.hpp"

namespace netra::net {

std::optional<HttpResponse> component_gate(const Route& route,
                                           const ComponentAvailability& unavailable) {
  if (route.options.needs_component.empty() || !unavailable) return std::nullopt;
  auto why = unavailable(route.options.needs_component);
  const bool fallback_serves = why && route.options.serves_degraded &&
                               *why == core::to_string(core::ComponentState::degraded);
  if (!why || fallback_serves) return std::nullopt;
  auto response =
      json_error(503, "unavailable",
                 "component '" + route.options.needs_component + "' is not ready (" + *why + ")",
                 {{"component", route.options.needs_component}, {"state", *why}});
  response.with_header("Retry-After", "1");
  return response;
}

std::optional<HttpResponse> refuse_key(const std::vector<std::string>& scopes, const Route& route) {
  const auto& needed = route.options.key_scope;
  if (needed.empty()) {
    return json_error(403, "api_key_not_allowed",
                      "this route takes a signed-in user's access token, not an API key");
  }
  if (std::find(scopes.begin(), scopes.end(), needed) != scopes.end()) return std::nullopt;
  return json_error(403, "insufficient_scope", "this API key lacks the '" + needed + "' scope",
                    {{"scope", needed}})
      .with_header("WWW-Authenticate",
                   "Bearer error=\"insufficient_scope\", scope=\"" + needed + "\"");
}

std::optional<HttpResponse> refuse_call(const Route& route,
                                        const ComponentAvailability& availability,
                                        const HttpRequest& caller) {
  if (auto closed = component_gate(route, availability)) return closed;
  if (route.options.authenticated && !caller.api_key_id.empty()) {
    return refuse_key(caller.api_key_scopes, route);
  }
  return std::nullopt;
}

}  // namespace netra::net
