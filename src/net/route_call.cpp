#include "net/route_call.hpp"

#include "net/json_error.hpp"

namespace netra::net {

boost::asio::awaitable<HttpResponse> call_route(const Router& router,
                                                const ComponentAvailability& availability,
                                                RouteCall call, const HttpRequest& caller) {
  HttpRequest request;
  request.method = std::move(call.method);
  const auto question = call.target.find('?');
  request.path = url_decode(std::string_view(call.target).substr(0, question), false);
  if (question != std::string::npos) request.query = call.target.substr(question + 1);
  request.target = std::move(call.target);
  auto match = router.match(request.method, request.path);
  if (match.outcome == Router::Outcome::not_found) {
    co_return json_error(404, "not_found", "no route for " + request.path);
  }
  if (match.outcome == Router::Outcome::method_not_allowed) {
    co_return json_error(405, "method_not_allowed",
                         request.method + " is not allowed on " + request.path);
  }
  const Route& route = *match.route;
  if (auto refused = refuse_call(route, availability, caller)) co_return std::move(*refused);
  if (route.options.body_limit != 0 && call.body.size() > route.options.body_limit) {
    co_return json_error(413, "payload_too_large",
                         "the body is larger than the " + std::to_string(route.options.body_limit) +
                             " bytes " + route.label + " takes");
  }
  request.request_id = caller.request_id;
  request.remote_address = caller.remote_address;
  request.remote_port = caller.remote_port;
  request.user_id = caller.user_id;
  request.token_expires_at = caller.token_expires_at;
  request.session_id = caller.session_id;
  request.api_key_id = caller.api_key_id;
  request.api_key_scopes = caller.api_key_scopes;
  request.authenticated = caller.authenticated;
  if (!call.body.empty()) request.headers.emplace_back("content-type", "application/json");
  request.body = std::move(call.body);
  if (route.options.admit) {
    auto admitted = route.options.admit(request, request.body.size());
    if (!admitted) co_return std::move(admitted.error());
    request.admission = std::move(admitted.value());
  }
  request.path_params = std::move(match.params);
  if (route.answer) co_return route.answer(request);
  co_return co_await route.handler(request);
}

}  // namespace netra::net
