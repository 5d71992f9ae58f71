// ComponentCatalog: the components this binary can run, each declared (name, criticality,
// dependencies) before configuration is read, and built from the configuration afterwards.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/component.hpp"
#include "core/engine.hpp"
#include "core/startup_report.hpp"

namespace netra::auth {
class AuthState;
}
namespace netra::core {
class HealthRegistry;
class OffloadPool;
}  // namespace netra::core
namespace netra::net {
class HttpServer;
class Router;
}  // namespace netra::net
namespace netra::telemetry {
class Metrics;
}

namespace netra::app {

class Config;

// What a component (or a route) may need from the process when it is built.
struct BuildContext {
  const Config& config;
  core::OffloadPool& offload;
  net::HttpServer& server;
  telemetry::Metrics& metrics;
  std::function<core::StartupReport()> report;
  core::HealthRegistry& health;  // where components publish breakers and pools
  auth::AuthState& auth;         // the running AuthService, for routes and token checks
  // A component built before this one (catalog order), or null.
  std::function<std::shared_ptr<core::Component>(const std::string& name)> built;
};

struct CatalogEntry {
  core::ComponentSpec spec;
  // Builds the component with `spec` (the entry's, so a graph shown by `check` is the graph run).
  std::function<std::shared_ptr<core::Component>(const BuildContext&,
                                                 const core::ComponentSpec& spec)>
      build;
  // Adjusts the settings read from configuration (e.g. a stop that must outlast a drain).
  std::function<void(core::ComponentSettings&, const Config&)> adjust_settings;
  // Checks the component's own configuration without opening anything (for `netra check`);
  // throws core::ConfigurationError.
  std::function<void(const Config&)> validate;
  // Adapts the declared spec to configuration (e.g. auth_service needs no database when the
  // auth service runs elsewhere). The adapted spec is the one checked, shown and run.
  std::function<void(core::ComponentSpec&, const Config&)> adjust_spec;
};

using ComponentCatalog = std::vector<CatalogEntry>;

// What a `netra` command runs: its components and the routes beyond the built-in health and
// metrics ones.
struct ServiceDefinition {
  ComponentCatalog catalog;
  std::function<void(net::Router&, const BuildContext&)> add_routes;
  std::string port_key = "server.port";  // the configuration key of the port it listens on
};

// `netra serve`: the backend (with the auth service embedded unless auth.url names one).
ServiceDefinition production_service();
// `netra auth`: the auth service alone (accounts, tokens, JWKS) on auth.port.
ServiceDefinition auth_service();

// Every entry's own validation, all problems at once; throws core::ConfigurationError.
void validate_components(const ComponentCatalog& catalog, const Config& config);

// The entry's settings: its criticality's defaults, then configuration, then adjust_settings.
core::ComponentSettings settings_for(const CatalogEntry& entry, const Config& config);

// The entry's spec adapted to configuration (adjust_spec).
core::ComponentSpec spec_for(const CatalogEntry& entry, const Config& config);
std::vector<core::ComponentSpec> specs_for(const ComponentCatalog& catalog, const Config& config);
std::vector<std::string> names_of(const ComponentCatalog& catalog);

}  // namespace netra::app
