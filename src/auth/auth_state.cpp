#include "auth/auth_state.hpp"

#include "core/clock.hpp"

namespace netra::auth {

asio::awaitable<core::Result<Claims, JwtError>> AuthState::verify_access(std::string token) const {
  std::shared_ptr<AuthService> service;
  std::shared_ptr<RemoteKeySet> remote;
  {
    std::lock_guard lock(mutex_);
    service = service_;
    remote = remote_;
  }
  core::Result<Claims, JwtError> claims = JwtError{"the auth service is not running", false, true};
  if (service) {
    claims = service->verify_access(token);
  } else if (remote) {
    claims = co_await remote->verify_access(std::move(token));
  }
  if (claims && session_revoked(claims->session_id)) {
    co_return JwtError{"its login was revoked", false, false};
  }
  co_return claims;
}

bool AuthState::session_revoked(const std::string& session_id) const {
  return revoked_.revoked(session_id, core::unix_seconds_now());
}

}  // namespace netra::auth
