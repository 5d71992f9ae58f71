// The HTTP face of AuthService: /auth/register, /auth/login, /auth/refresh, /auth/logout,
// /auth/me and /.well-known/jwks.json; and the server hook that verifies Bearer tokens.
#pragma once

#include "app/auth_component.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace netra::app {

// `dev_login` adds POST /auth/dev/login (configuration refuses it in production).
void add_auth_routes(net::Router& router, AuthState& state, bool dev_login);

// For ServerHooks::authenticate.
net::ServerHooks::AuthOutcome verify_bearer(const AuthState& state, std::string_view token);

}  // namespace netra::app
