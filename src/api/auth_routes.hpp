// The HTTP face of AuthService: /auth/register, /auth/login, /auth/refresh, /auth/logout,
// /auth/me and /.well-known/jwks.json, and sign-in with OpenID providers (api/oidc_routes); and
// the server hook that verifies Bearer tokens.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/auth_state.hpp"
#include "net/cors.hpp"
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
  // The OpenID providers configured (auth.oidc.<name>): adds /auth/oidc/{provider}/login and
  // /callback. Like dev_login, filled from the auth layer's configuration.
  std::vector<std::string> oidc_providers;
  // Where a sign-in may send the browser back to (?return_to=): a path here, or a page of these
  // origins (server.cors_origins).
  net::CorsPolicy return_origins;
};

// With `redis`, the limits are counted across the instances (redis::SharedRateLimiter).
void add_auth_routes(net::Router& router, auth::AuthState& state, AuthRouteOptions options,
                     std::weak_ptr<redis::RedisClient> redis = {});

// The answer to a sign-in: the token pair and the user, as JSON.
net::HttpResponse token_pair_response(const auth::TokenPair& pair);

// For ServerHooks::authenticate.
asio::awaitable<net::ServerHooks::AuthOutcome> verify_bearer(const auth::AuthState& state,
                                                             std::string token);

}  // namespace netra::api
