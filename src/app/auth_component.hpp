// AuthComponent (`auth_service`, high): loads (or, on first start, creates) the signing key and
// serves accounts and tokens. Token verification for /api routes reads it through AuthState, so
// the API answers 503 auth_unavailable — not a hang — until it is ready.
#pragma once

#include <memory>
#include <mutex>

#include "auth/auth_service.hpp"
#include "core/component.hpp"

namespace netra::core {
class OffloadPool;
}
namespace netra::db {
class DatabaseComponent;
}

namespace netra::app {

namespace asio = boost::asio;

// The running AuthService, or none yet; shared by the component, the routes and the server.
class AuthState {
 public:
  std::shared_ptr<auth::AuthService> get() const {
    std::lock_guard lock(mutex_);
    return service_;
  }
  void set(std::shared_ptr<auth::AuthService> service) {
    std::lock_guard lock(mutex_);
    service_ = std::move(service);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<auth::AuthService> service_;
};

struct AuthConfig {
  auth::KeyRingOptions keys{"var/keys", auth::KeyAlgorithm::rs256, ""};
  auth::AuthSettings settings;
  bool dev_login = false;  // POST /auth/dev/login: never in production
};

class AuthComponent final : public core::Component {
 public:
  static constexpr const char* kName = "auth_service";
  static core::ComponentSpec make_spec();

  AuthComponent(core::ComponentSpec spec, AuthConfig config, AuthState& state,
                db::DatabaseComponent& database, core::OffloadPool& offload);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  AuthConfig config_;
  AuthState& state_;
  db::DatabaseComponent& database_;
  core::OffloadPool& offload_;
  std::unique_ptr<auth::PasswordHasher> hasher_;
};

}  // namespace netra::app
