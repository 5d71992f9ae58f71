// GET /api/config/public: what a client may know before signing in — environment, name, version
// and which features this instance serves. No auth; never a secret.
#pragma once

#include <nlohmann/json.hpp>

#include "net/router.hpp"

namespace netra::app {

class Config;

// `features`: computed once at start-up by the service from its configuration.
void add_public_config_route(net::Router& router, const Config& config, nlohmann::json features);

}  // namespace netra::app
