// RemoteAuthComponent (`auth_service`, high, no dependencies): the backend's side of an auth
// service that runs as its own process (auth.url). Starting it fetches nothing — the keys come
// from the service's JWKS on the first token to verify (auth::RemoteKeySet) — so the backend
// starts and reports ready whether or not the auth service is up, and heals without a restart.
#pragma once

#include <memory>

#include "auth/auth_component.hpp"
#include "auth/remote_key_set.hpp"
#include "core/component.hpp"
#include "net/http_client.hpp"

namespace netra::net {
class HttpClient;
}

namespace netra::auth {

class RemoteAuthComponent final : public core::Component {
 public:
  // `jwks_url`: the auth service's /.well-known/jwks.json, over https:// unless it is on this
  // machine. `ca_file`: the authority its certificate chains to, when the system does not trust
  // it ("" for the system's store).
  RemoteAuthComponent(core::ComponentSpec spec, std::string jwks_url,
                      auth::RemoteKeySetOptions options, AuthState& state, std::string ca_file = "",
                      net::CallObserver jwks_calls = nullptr);
  ~RemoteAuthComponent() override;

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;
  // The key set's state, for the log and tests.
  auth::KeySetStatus key_status() const;

 private:
  std::string jwks_url_;
  auth::RemoteKeySetOptions options_;
  AuthState& state_;
  std::string ca_file_;
  net::CallObserver jwks_calls_;
  std::shared_ptr<net::HttpClient> client_;
  std::shared_ptr<auth::RemoteKeySet> keys_;
};

}  // namespace netra::auth
