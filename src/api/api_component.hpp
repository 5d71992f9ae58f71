// ApiComponent (`api`, critical): the HTTP API as a component. The listener is bound before
// anything starts (health answers from the first millisecond); routes that need `api` answer 503
// until this is ready. Stopping it drains the server: in-flight requests finish, idle
// connections close.
#pragma once

#include <chrono>

#include "core/component.hpp"

namespace netra::net {
class HttpServer;
}

namespace netra::api {

namespace asio = boost::asio;

class ApiComponent final : public core::Component {
 public:
  static constexpr const char* kName = "api";
  static core::ComponentSpec make_spec();

  ApiComponent(core::ComponentSpec spec, net::HttpServer& server,
               std::chrono::milliseconds drain_timeout);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  net::HttpServer& server_;
  std::chrono::milliseconds drain_timeout_;
};

}  // namespace netra::api
