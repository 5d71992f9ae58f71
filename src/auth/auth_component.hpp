// AuthComponent (`auth_service`, high): loads (or, on first start, creates) the signing key and
// serves accounts and tokens. The key ring needs no database: prepare() begins loading it while
// the database starts. On a first start, when prepare() is making the key, start() does not wait
// for it: the service is ready with the key still being made, and sign-ins (and the published key
// set) wait for it instead; no token can exist before it to be verified. Token verification for
// /api routes reads it through AuthState, so the API answers 503 auth_unavailable — not a hang —
// until it is ready.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <future>
#include <memory>
#include <mutex>

#include "auth/auth_config.hpp"
#include "auth/auth_service.hpp"
#include "auth/auth_state.hpp"
#include "core/component.hpp"
#include "net/http_client.hpp"

namespace netra::core {
class OffloadPool;
}
namespace netra::db {
class DatabaseComponent;
}

namespace netra::auth {

class AuthComponent final : public core::Component {
 public:
  static constexpr const char* kName = "auth_service";
  static core::ComponentSpec make_spec();

  // `oidc_calls` times each call to an OpenID provider (netra_dependency_duration_seconds).
  AuthComponent(core::ComponentSpec spec, AuthConfig config, AuthState& state,
                db::DatabaseComponent& database, net::CallObserver oidc_calls = nullptr);
  ~AuthComponent() override;

  void prepare(core::OffloadPool& offload, const asio::any_io_executor& executor) override;
  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  asio::awaitable<bool> key_being_made(core::LifecycleContext& ctx);
  asio::awaitable<auth::KeyRing> take_key_ring(core::LifecycleContext& ctx);

  AuthConfig config_;
  AuthState& state_;
  db::DatabaseComponent& database_;
  net::CallObserver oidc_calls_;
  // Passwords are hashed here, not on the offload pool: a burst of registrations cannot delay
  // any other blocking call, and a full queue answers busy instead of growing.
  std::unique_ptr<core::OffloadPool> hashing_;
  std::unique_ptr<auth::PasswordHasher> hasher_;
  std::unique_ptr<asio::steady_timer> settle_;  // the wait before the calibration hash is made
  // The ring prepare() began loading; start() takes it once.
  std::shared_future<auth::KeyRing> early_keys_;
};

}  // namespace netra::auth
