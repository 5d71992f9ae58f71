#include "api/api_component.hpp"

#include "net/http_server.hpp"

namespace netra::api {

core::ComponentSpec ApiComponent::make_spec() {
  // Later issues add what else the API requires (auth_service, ...).
  return {kName,
          core::Criticality::critical,
          {core::requires_component("database"), core::uses_component("auth_service"),
           core::uses_component("metrics")}};
}

ApiComponent::ApiComponent(core::ComponentSpec spec, net::HttpServer& server,
                           std::chrono::milliseconds drain_timeout)
    : core::Component(std::move(spec)), server_(server), drain_timeout_(drain_timeout) {}

asio::awaitable<core::Status> ApiComponent::start(core::LifecycleContext&) {
  if (server_.port() == 0) co_return core::Status::error("the HTTP listener is not bound");
  co_return core::Status::ok();  // from now on, routes that need `api` are served
}

asio::awaitable<core::Status> ApiComponent::stop(core::LifecycleContext&) {
  co_await server_.shutdown(drain_timeout_);
  co_return core::Status::ok();
}

}  // namespace netra::api
