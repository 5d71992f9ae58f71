#include "net/websocket_component.hpp"

namespace netra::net {
namespace {

void publish_websocket_metrics(core::HealthRegistry& health,
                               std::shared_ptr<WebSocketServer> server) {
  using Series = core::HealthRegistry::Series;
  auto n = [](uint64_t v) { return static_cast<double>(v); };
  health.add_family(
      {"netra_websocket_connections", "Open WebSocket connections", "", false, [server, n] {
         return std::vector<Series>{{"", n(server->connections())}};
       }});
  health.add_family(
      {"netra_websocket_events_total",
       "WebSocket sockets accepted, refused at the handshake, turned away by a limit, closed for "
       "a reason of the server's, and messages refused by the rate limit",
       "event", true, [server, n] {
         const auto s = server->stats();
         return std::vector<Series>{{"accepted", n(s.accepted)},
                                    {"refused", n(s.refused)},
                                    {"over_limit", n(s.over_limit)},
                                    {"closed_slow_reader", n(s.closed_slow)},
                                    {"closed_too_big", n(s.closed_too_big)},
                                    {"closed_no_pong", n(s.closed_no_pong)},
                                    {"closed_token_expired", n(s.closed_expired)},
                                    {"closed_session_revoked", n(s.closed_revoked)},
                                    {"rate_limited", n(s.rate_limited)}};
       }});
  health.add_family(
      {"netra_websocket_messages_total", "WebSocket messages received and sent", "direction", true,
       [server, n] {
         const auto s = server->stats();
         return std::vector<Series>{{"in", n(s.messages_in)}, {"out", n(s.messages_out)}};
       }});
}

}  // namespace

core::ComponentSpec WebSocketComponent::make_spec() {
  // Verification needs auth_service, but a socket refused with AUTH_UNAVAILABLE is the degraded
  // answer while it is down: a soft dependency. With Redis, each socket holds a place among its
  // user's sockets in the cluster, given back through Redis as it closes: the sockets close before
  // Redis does, or an instance that stopped would leave places counting until they lapse.
  return {kName,
          core::Criticality::high,
          {core::requires_component("api"), core::uses_component("auth_service"),
           core::uses_component("redis")}};
}

WebSocketComponent::WebSocketComponent(core::ComponentSpec spec,
                                       std::shared_ptr<WebSocketServer> server,
                                       core::HealthRegistry* health)
    : core::Component(std::move(spec)), server_(std::move(server)) {
  if (health != nullptr) publish_websocket_metrics(*health, server_);
}

asio::awaitable<core::Status> WebSocketComponent::start(core::LifecycleContext&) {
  co_return core::Status::ok();  // from now on the route's gate lets upgrades through
}

asio::awaitable<core::Status> WebSocketComponent::stop(core::LifecycleContext& ctx) {
  // Most of the stop timeout for the close handshakes, the rest for the engine's bookkeeping.
  const auto wait =
      ctx.timeout.count() > 0 ? ctx.timeout * 8 / 10 : std::chrono::milliseconds(2000);
  co_await server_->close_all(CloseCode::going_away, "server shutting down", wait);
  co_return core::Status::ok();
}

}  // namespace netra::net
