// Sign-in with OpenID providers over HTTP: GET /auth/oidc/{provider}/login sends the browser to
// the provider with a cookie that binds the sign-in to it; GET /auth/oidc/{provider}/callback
// completes it (auth::OidcSignIn) and answers our token pair, as JSON or, with return_to, in the
// fragment of a redirect (a fragment never reaches a server's logs).
#pragma once

#include <memory>

#include "api/auth_routes.hpp"

namespace netra::api {

void add_oidc_routes(net::Router& router, auth::AuthState& state, const AuthRouteOptions& options,
                     std::weak_ptr<redis::RedisClient> redis);

}  // namespace netra::api
