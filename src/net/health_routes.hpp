// The health probes: /health/live, /health/startup, /health/ready and /health, as the design's
// health model says. They never wait on a dependency: they read the engine's report.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

// What /health's "status" says: ok, degraded (a component degraded or skipped), starting, failed
// or stopping.
std::string overall_status(const core::StartupReport& r, bool draining);

// The breakers and pools as /health and /status show them (empty arrays without a registry).
nlohmann::json breakers_json(const core::HealthRegistry* registry);
nlohmann::json pools_json(const core::HealthRegistry* registry);

// Why the service should not take traffic now; empty when it should (/health/ready answers 200).
std::vector<std::string> not_ready_reasons(const core::StartupReport& r, bool draining,
                                           const core::HealthRegistry* registry);

}  // namespace netra::net
