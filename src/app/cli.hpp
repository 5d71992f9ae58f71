// The `netra` command line: serve (default), auth, check, graph, migrate, rotate-key, version.
// Shared by the real binary and by test fixtures that run it with synthetic components.
#pragma once

#include "app/component_catalog.hpp"

namespace netra::app {

// Returns the process exit code: 0 ok, 2 configuration error, 3 start-up failed.
// `service` is what `serve` runs; `auth` runs `auth_service`.
int run_cli(int argc, char** argv, const ServiceDefinition& service,
            const ServiceDefinition& auth_service = app::auth_service());

}  // namespace netra::app
