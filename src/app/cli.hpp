// The `netra` command line: serve (default), check, graph, version. Shared by the real binary
// and by test fixtures that run it with synthetic components.
#pragma once

#include "app/component_catalog.hpp"

namespace netra::app {

// Returns the process exit code: 0 ok, 2 configuration error, 3 start-up failed.
int run_cli(int argc, char** argv, const ServiceDefinition& service);

}  // namespace netra::app
