// AuthState: how this process verifies access tokens — with the embedded AuthService once it
// runs, or with the key set of a separate auth service — and which logins were revoked.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "auth/api_key_verifier.hpp"
#include "auth/auth_service.hpp"
#include "auth/oidc_sign_in.hpp"
#include "auth/remote_key_set.hpp"
#include "auth/revoked_sessions.hpp"

namespace netra::auth {

namespace asio = boost::asio;

// How this process verifies access tokens: with the embedded AuthService once it runs, or with
// the key set of a separate auth service (auth.url); neither yet → 503 auth_unavailable. Shared by
// the components, the routes and the server hook.
class AuthState {
 public:
  // The embedded service (serving /auth/*), or null.
  std::shared_ptr<AuthService> get() const {
    std::lock_guard lock(mutex_);
    return service_;
  }
  void set(std::shared_ptr<AuthService> service) {
    std::lock_guard lock(mutex_);
    service_ = std::move(service);
  }
  // Sign-in with OpenID providers, where the embedded service runs and providers are
  // configured; else null.
  std::shared_ptr<OidcSignIn> oidc() const {
    std::lock_guard lock(mutex_);
    return oidc_;
  }
  void set_oidc(std::shared_ptr<OidcSignIn> oidc) {
    std::lock_guard lock(mutex_);
    oidc_ = std::move(oidc);
  }
  void set_remote(std::shared_ptr<RemoteKeySet> keys) {
    std::lock_guard lock(mutex_);
    remote_ = std::move(keys);
  }
  // The users' API keys, where this process has their database (the backend); else null, and a
  // bearer token that looks like a key is refused.
  std::shared_ptr<ApiKeyVerifier> api_keys() const {
    std::lock_guard lock(mutex_);
    return api_keys_;
  }
  void set_api_keys(std::shared_ptr<ApiKeyVerifier> keys) {
    std::lock_guard lock(mutex_);
    api_keys_ = std::move(keys);
  }
  // Logins revoked here: their access tokens are refused until they expire, and listeners (the
  // WebSocket server) close what they opened.
  RevokedSessions& revoked_sessions() { return revoked_; }
  bool session_revoked(const std::string& session_id) const;
  // The one way a request's access token is checked (a revoked login's tokens are refused).
  asio::awaitable<core::Result<Claims, JwtError>> verify_access(std::string token) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<AuthService> service_;
  std::shared_ptr<RemoteKeySet> remote_;
  std::shared_ptr<OidcSignIn> oidc_;
  std::shared_ptr<ApiKeyVerifier> api_keys_;
  RevokedSessions revoked_;
};

}  // namespace netra::auth
