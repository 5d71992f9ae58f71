#include "auth/remote_auth_component.hpp"

#include "net/http_client.hpp"
#include "net/http_json.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {
namespace {

// GET the JWKS; anything but a 200 with a JSON object is a failed fetch.
auth::RemoteKeySet::Fetch jwks_fetch(std::shared_ptr<net::HttpClient> client, std::string url) {
  return [client, url](core::Deadline deadline) {
    return net::get_json_object(*client, url, deadline);
  };
}

}  // namespace

RemoteAuthComponent::RemoteAuthComponent(core::ComponentSpec spec, std::string jwks_url,
                                         auth::RemoteKeySetOptions options, AuthState& state,
                                         std::string ca_file, net::CallObserver jwks_calls)
    : core::Component(std::move(spec)),
      jwks_url_(std::move(jwks_url)),
      options_(std::move(options)),
      state_(state),
      ca_file_(std::move(ca_file)),
      jwks_calls_(std::move(jwks_calls)) {}

RemoteAuthComponent::~RemoteAuthComponent() = default;

asio::awaitable<core::Status> RemoteAuthComponent::start(core::LifecycleContext&) {
  net::HttpClientOptions client_options;
  client_options.max_response_body_bytes = 1024 * 1024;  // a JWKS is a few KiB
  client_options.max_idle_per_origin = 1;
  client_options.ca_file = ca_file_;  // https:// only; empty: the system's trust store
  client_options.on_call = jwks_calls_;
  client_ = std::make_shared<net::HttpClient>(client_options);
  keys_ = std::make_shared<auth::RemoteKeySet>(options_, jwks_fetch(client_, jwks_url_));
  state_.set_remote(keys_);
  telemetry::logger(name())->info(
      "verifying tokens with the keys of {} (fetched on the first token, not now)", jwks_url_);
  co_return core::Status::ok();
}

asio::awaitable<core::Status> RemoteAuthComponent::stop(core::LifecycleContext&) {
  state_.set_remote(nullptr);
  if (client_) client_->close_idle();
  co_return core::Status::ok();
}

auth::KeySetStatus RemoteAuthComponent::key_status() const {
  return keys_ ? keys_->status() : auth::KeySetStatus{};
}

}  // namespace netra::auth
