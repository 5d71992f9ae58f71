// WebSocketComponent (`websocket`, high): the /ws channel as a component. Upgrades are taken only
// while it is ready (before, the route's gate answers 503); stopping it — first, since it
// requires `api` — sends every socket close 1001 and waits for them within its stop timeout.
#pragma once

#include <memory>

#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "net/websocket_server.hpp"

namespace netra::net {

class WebSocketComponent final : public core::Component {
 public:
  static constexpr const char* kName = "websocket";
  static core::ComponentSpec make_spec();

  // Publishes the server's series in `health` (when given): netra_websocket_connections,
  // netra_websocket_events_total{event}, netra_websocket_messages_total{direction}.
  WebSocketComponent(core::ComponentSpec spec, std::shared_ptr<WebSocketServer> server,
                     core::HealthRegistry* health = nullptr);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  WebSocketServer& server() { return *server_; }

 private:
  std::shared_ptr<WebSocketServer> server_;
};

}  // namespace netra::net
