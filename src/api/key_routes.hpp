// The API-key routes: POST /api/keys {name, scopes} (201 with the key, shown this once), GET
// /api/keys (name, prefix, scopes, created, last used; never the key) and DELETE /api/keys/{id}.
// Managing keys takes a signed-in user's access token: a key cannot make or delete keys. A user
// sees and deletes only their own keys; another user's is 404, like a missing one.
#pragma once

#include <memory>

#include "net/router.hpp"

namespace netra::auth {
class ApiKeyVerifier;
}

namespace netra::api {

struct ApiKeyLimits {
  size_t per_user = 20;               // keys one user may hold
  size_t requests_per_minute = 1200;  // per key (ApiKeyVerifier counts them)
};

void add_key_routes(net::Router& router, std::shared_ptr<auth::ApiKeyVerifier> keys,
                    ApiKeyLimits limits);

}  // namespace netra::api
