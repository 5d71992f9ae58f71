// The model catalog over HTTP: GET /api/catalog/models lists the models and list prices the
// agents price with (any signed-in account, or an API key with `read`); PUT
// /api/catalog/models/{id} sets one entry (administrators only: auth.admin_emails), stored for
// every instance (analytics::CatalogOverlay).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/router.hpp"

namespace netra::analytics {
class CatalogOverlay;
}
namespace netra::auth {
class AuthState;
}

namespace netra::api {

void add_catalog_routes(net::Router& router, std::shared_ptr<analytics::CatalogOverlay> overlay,
                        std::vector<std::string> admin_emails, auth::AuthState& auth);

}  // namespace netra::api
