#include "net/websocket_component.hpp"

namespace netra::net {

core::ComponentSpec WebSocketComponent::make_spec() {
  // Verification needs auth_service, but a socket refused with AUTH_UNAVAILABLE is the degraded
  // answer while it is down: a soft dependency.
  return {kName,
          core::Criticality::high,
          {core::requires_component("api"), core::uses_component("auth_service")}};
}

WebSocketComponent::WebSocketComponent(core::ComponentSpec spec,
                                       std::shared_ptr<WebSocketServer> server)
    : core::Component(std::move(spec)), server_(std::move(server)) {}

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
