// AuthComponent (`auth_service`, high): loads (or, on first start, creates) the signing key and
// serves accounts and tokens. Token verification for /api routes reads it through AuthState, so
// the API answers 503 auth_unavailable — not a hang — until it is ready.
#pragma once

#include <memory>
#include <mutex>

#include "auth/auth_service.hpp"
#include "auth/remote_key_set.hpp"
#include "core/component.hpp"

namespace netra::core {
class OffloadPool;
}
namespace netra::db {
class DatabaseComponent;
}

namespace netra::app {

namespace asio = boost::asio;

// How this process verifies access tokens: with the embedded AuthService once it runs, or with
// the key set of a separate auth service (auth.url); neither yet → 503 auth_unavailable. Shared by
// the components, the routes and the server hook.
class AuthState {
 public:
  // The embedded service (serving /auth/*), or null.
  std::shared_ptr<auth::AuthService> get() const {
    std::lock_guard lock(mutex_);
    return service_;
  }
  void set(std::shared_ptr<auth::AuthService> service) {
    std::lock_guard lock(mutex_);
    service_ = std::move(service);
  }
  void set_remote(std::shared_ptr<auth::RemoteKeySet> keys) {
    std::lock_guard lock(mutex_);
    remote_ = std::move(keys);
  }
  // Logins revoked here: their access tokens are refused until they expire, and listeners (the
  // WebSocket server) close what they opened.
  auth::RevokedSessions& revoked_sessions() { return revoked_; }
  bool session_revoked(const std::string& session_id) const;
  // The one way a request's access token is checked (a revoked login's tokens are refused).
  asio::awaitable<core::Result<auth::Claims, auth::JwtError>> verify_access(
      std::string token) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<auth::AuthService> service_;
  std::shared_ptr<auth::RemoteKeySet> remote_;
  auth::RevokedSessions revoked_;
};

struct AuthConfig {
  auth::KeyRingOptions keys{"var/keys", auth::KeyAlgorithm::rs256, ""};
  auth::AuthSettings settings;
  bool dev_login = false;   // POST /auth/dev/login: never in production
  size_t hash_threads = 2;  // the password hasher's own threads
  size_t hash_queue = 32;   // hashes that may wait for one; beyond, 503 busy
};

class AuthComponent final : public core::Component {
 public:
  static constexpr const char* kName = "auth_service";
  static core::ComponentSpec make_spec();

  AuthComponent(core::ComponentSpec spec, AuthConfig config, AuthState& state,
                db::DatabaseComponent& database, core::OffloadPool& offload);
  ~AuthComponent() override;

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  AuthConfig config_;
  AuthState& state_;
  db::DatabaseComponent& database_;
  core::OffloadPool& offload_;
  // Passwords are hashed here, not on the offload pool: a burst of registrations cannot delay
  // any other blocking call, and a full queue answers busy instead of growing.
  std::unique_ptr<core::OffloadPool> hashing_;
  std::unique_ptr<auth::PasswordHasher> hasher_;
};

}  // namespace netra::app
