#include "net/health_routes.hpp"

#include <nlohmann/json.hpp>

namespace netra::net {
namespace {

bool startup_finished(const core::StartupReport& r) {
  return r.outcome == core::StartupOutcome::ready || r.outcome == core::StartupOutcome::degraded;
}

// The report as this request may see it: whole for an administrator, else its public view.
core::StartupReport report_for(const HealthSource& source, const HttpRequest& request) {
  auto report = source.report();
  if (source.sees_details && source.sees_details(request)) return report;
  return core::public_view(std::move(report));
}

}  // namespace

std::vector<std::string> not_ready_reasons(const core::StartupReport& r, bool draining,
                                           const core::HealthRegistry* registry) {
  std::vector<std::string> reasons;
  if (registry != nullptr) {
    for (const auto& b : registry->breakers()) {
      if (b.critical && b.snapshot.state != core::BreakerState::closed) {
        reasons.push_back(b.snapshot.name + " circuit breaker is " +
                          std::string(to_string(b.snapshot.state)));
      }
    }
  }
  if (draining) reasons.push_back("shutting down");
  if (r.outcome == core::StartupOutcome::in_progress) reasons.push_back("start-up in progress");
  if (r.outcome == core::StartupOutcome::failed) reasons.push_back("start-up failed: " + r.failure);
  for (const auto& c : r.components) {
    if (c.criticality == core::Criticality::critical && c.state != core::ComponentState::ready &&
        c.state != core::ComponentState::disabled) {
      reasons.push_back("critical component " + c.name + " is " + std::string(to_string(c.state)));
    }
  }
  return reasons;
}

std::string overall_status(const core::StartupReport& r, bool draining) {
  if (draining) return "stopping";
  if (r.outcome == core::StartupOutcome::in_progress) return "starting";
  if (r.outcome == core::StartupOutcome::failed) return "failed";
  for (const auto& c : r.components) {
    if (c.state == core::ComponentState::degraded || c.state == core::ComponentState::skipped) {
      return "degraded";
    }
  }
  return "ok";
}

nlohmann::json breakers_json(const core::HealthRegistry* registry) {
  nlohmann::json breakers = nlohmann::json::array();
  if (registry == nullptr) return breakers;
  for (const auto& b : registry->breakers()) {
    breakers.push_back({{"name", b.snapshot.name},
                        {"state", to_string(b.snapshot.state)},
                        {"critical", b.critical},
                        {"recent_calls", b.snapshot.calls},
                        {"recent_failures", b.snapshot.failures},
                        {"times_opened", b.snapshot.times_opened}});
  }
  return breakers;
}

nlohmann::json pools_json(const core::HealthRegistry* registry) {
  nlohmann::json pools = nlohmann::json::array();
  if (registry == nullptr) return pools;
  for (const auto& p : registry->pools()) {
    pools.push_back({{"name", p.name},
                     {"max", p.max_size},
                     {"in_use", p.stats.in_use},
                     {"idle", p.stats.idle},
                     {"waiting", p.stats.waiting}});
  }
  return pools;
}

void add_health_routes(Router& router, HealthSource source) {
  // Probes read in-memory state and answer at once (InlineHandler); they never wait on a
  // component either.
  router.add("GET", "/health/live", [](HttpRequest&) -> HttpResponse {
    // Answering at all proves the event loop turns; no dependency is consulted.
    return json_response(R"({"status":"alive"})");
  });

  router.add("GET", "/health/startup", [source](HttpRequest& request) -> HttpResponse {
    const auto report = report_for(source, request);
    nlohmann::json body = {{"status", core::to_string(report.outcome)},
                           {"startup", core::to_json(report)}};
    return json_response(body.dump(), startup_finished(report) ? 200 : 503);
  });

  router.add("GET", "/health/ready", [source](HttpRequest& request) -> HttpResponse {
    const auto report = report_for(source, request);
    const auto reasons = not_ready_reasons(report, source.draining(), source.registry);
    nlohmann::json body = {{"status", reasons.empty() ? "ready" : "not_ready"},
                           {"reasons", reasons}};
    auto response = json_response(body.dump(), reasons.empty() ? 200 : 503);
    if (!reasons.empty()) response.with_header("Retry-After", "1");
    return response;
  });

  router.add("GET", "/health", [source](HttpRequest& request) -> HttpResponse {
    const auto report = report_for(source, request);
    const bool draining = source.draining();
    const auto details = source.registry != nullptr ? source.registry->details()
                                                    : std::map<std::string, nlohmann::json>();
    nlohmann::json components = nlohmann::json::array();
    for (const auto& c : report.components) {
      nlohmann::json entry = {
          {"name", c.name},
          {"criticality", to_string(c.criticality)},
          {"state", to_string(c.state)},
          {"attempts", c.attempts},
          {"elapsed_ms", c.waited_ms + c.took_ms},
          {"error", c.error.empty() ? nlohmann::json() : nlohmann::json(c.error)}};
      if (const auto own = details.find(c.name); own != details.end()) {
        entry["details"] = own->second;
      }
      components.push_back(std::move(entry));
    }
    nlohmann::json body = {
        {"status", overall_status(report, draining)},
        {"ready", not_ready_reasons(report, draining, source.registry).empty()},
        {"components", std::move(components)},
        {"breakers", breakers_json(source.registry)},
        {"pools", pools_json(source.registry)},
        {"warnings", source.registry ? source.registry->warnings() : nlohmann::json::array()},
        {"startup", core::to_json(report)}};
    return json_response(body.dump());
  });
}

}  // namespace netra::net
