// The HTTP face of AuthService: /auth/register, /auth/login, /auth/refresh, /auth/logout,
// /auth/me and /.well-known/jwks.json; and the server hook that verifies Bearer tokens.
#pragma once

#include <memory>

#include "auth/auth_state.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace netra::redis {
class RedisClient;
}

namespace netra::api {

namespace asio = boost::asio;

struct AuthRouteOptions {
  bool dev_login = false;                 // adds POST /auth/dev/login (refused in production)
  size_t login_limit_per_minute = 10;     // per client address and per account
  size_t register_limit_per_minute = 10;  // per client address
  size_t refresh_limit_per_minute = 60;   // per client address
};

// With `redis`, the limits are counted across the instances (redis::SharedRateLimiter).
void add_auth_routes(net::Router& router, auth::AuthState& state, AuthRouteOptions options,
                     std::weak_ptr<redis::RedisClient> redis = {});

// For ServerHooks::authenticate.
asio::awaitable<net::ServerHooks::AuthOutcome> verify_bearer(const auth::AuthState& state,
                                                             std::string token);

}  // namespace netra::api
