// serve: runs the service — event loops, the HTTP listener (bound first), offload pool, watchdog
// and the component engine — until SIGTERM/SIGINT, and says at every step what it is doing.
#pragma once

#include "app/component_catalog.hpp"
#include "app/config.hpp"

namespace netra::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConfigError = 2;
inline constexpr int kExitStartupFailed = 3;

// Returns the process exit code: 0 after a clean shutdown, 3 when start-up failed or the
// listener cannot bind. Throws core::GraphError for a bad component graph (exit 2 for the caller).
int serve(const Config& config, const ServiceDefinition& service);

}  // namespace netra::app
