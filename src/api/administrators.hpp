// Administrators: the accounts whose email is in auth.admin_emails (compared without case). One
// check for every route that only they may call (the /status feed, catalog changes).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/http_message.hpp"

namespace netra::auth {
class AuthState;
}

namespace netra::api {

// The 403 not_an_administrator (or the auth error) for an authenticated request whose account
// is not an administrator; nullopt for an administrator. `admin_emails` as configured.
boost::asio::awaitable<std::optional<net::HttpResponse>> refuse_unless_administrator(
    const net::HttpRequest& request, const std::vector<std::string>& admin_emails,
    auth::AuthState& auth);

}  // namespace netra::api
