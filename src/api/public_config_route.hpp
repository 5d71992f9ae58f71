// GET /api/config/public: what a client may know before signing in — environment, name, version
// and which features this instance serves. No auth; never a secret.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "net/router.hpp"

namespace netra::api {

// `environment`: where this instance runs ("development", "staging", "production");
// `features`: computed once at start-up by the service from its configuration.
void add_public_config_route(net::Router& router, const std::string& environment,
                             nlohmann::json features);

}  // namespace netra::api
