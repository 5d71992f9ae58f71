// The health probes: /health/live, /health/startup, /health/ready and /health, as the design's
// health model says. They never wait on a dependency: they read the engine's report.
#pragma once

#include <functional>

#include "core/health_registry.hpp"
#include "core/startup_report.hpp"
#include "net/router.hpp"

namespace netra::net {

struct HealthSource {
  std::function<core::StartupReport()> report;     // thread-safe snapshot
  std::function<bool()> draining;                  // true once shutdown has begun
  const core::HealthRegistry* registry = nullptr;  // breakers and pools, when there are any
  // Whether a request may see error texts (an administrator's); absent: nobody over HTTP.
  std::function<bool(const HttpRequest&)> sees_details;
};

void add_health_routes(Router& router, HealthSource source);

}  // namespace netra::net
