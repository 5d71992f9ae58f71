// ComponentCatalog: the components this binary can run, each declared (name, criticality,
// dependencies) before configuration is read, and built from the configuration afterwards — in
// the graph's order, each receiving what it declared it depends on as typed references.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
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
class Tracer;
}  // namespace netra::telemetry

namespace netra::app {

class Config;
struct ServiceSettings;

// A component as built: the engine's handle, and the same object under its own type, so that
// another component can receive it typed without a downcast.
struct BuiltComponent {
  std::shared_ptr<core::Component> component;
  std::type_index type = typeid(void);
  std::shared_ptr<void> typed;

  template <class T>
  static BuiltComponent of(std::shared_ptr<T> built) {
    return {built, typeid(T), built};
  }
};

// The components built so far, by name.
using BuiltComponents = std::map<std::string, BuiltComponent>;

// The component named T::kName as a T, or null when it is not built or not a T.
template <class T>
T* find_built(const BuiltComponents& built) {
  auto it = built.find(T::kName);
  if (it == built.end() || it->second.type != typeid(T)) return nullptr;
  return static_cast<T*>(it->second.typed.get());
}

// What the process offers every component and route when it is built.
struct ProcessParts {
  const Config& config;
  const ServiceSettings& settings;
  core::OffloadPool& offload;
  net::HttpServer& server;
  telemetry::Metrics& metrics;
  std::function<core::StartupReport()> report;
  core::HealthRegistry& health;  // where components publish breakers, pools and metrics
  auth::AuthState& auth;         // how tokens are verified, for routes and the socket
  // One executor per event loop, for components that keep a connection on each (redis).
  std::vector<boost::asio::any_io_executor> loops{};
  // True once shutdown has begun (readiness is down), for /status.
  std::function<bool()> draining = [] { return false; };
  // Where finished spans go (the tracing component attaches its exporter).
  telemetry::Tracer& tracer = no_tracer();

  static telemetry::Tracer& no_tracer();
};

// What one component is built with: the process's parts, and the components it declared.
class BuildContext {
 public:
  BuildContext(const ProcessParts& parts, const core::ComponentSpec& spec,
               const BuiltComponents& built,
               const std::map<std::string, core::ComponentSpec>& specs)
      : parts_(parts), spec_(spec), built_(built), specs_(specs) {}

  const ProcessParts& process() const { return parts_; }
  const ServiceSettings& settings() const { return parts_.settings; }

  // The component T (named T::kName) this one depends on, directly or through what it requires.
  // Throws core::ConfigurationError when it declared no such dependency, or when the component
  // of that name is not a T.
  template <class T>
  T& get() const {
    auto* found = find<T>();
    if (found == nullptr) refuse(T::kName, "is not built as the type it asks for");
    return *found;
  }

  // As get(), but null when the component of that name is not a T (a test's stand-in) or was
  // not built: for what this component can do without.
  template <class T>
  T* find() const {
    if (!declares(T::kName)) refuse(T::kName, "is not among its declared dependencies");
    return find_built<T>(built_);
  }

 private:
  bool declares(const std::string& name) const;
  [[noreturn]] void refuse(const std::string& name, const std::string& why) const;

  const ProcessParts& parts_;
  const core::ComponentSpec& spec_;
  const BuiltComponents& built_;
  const std::map<std::string, core::ComponentSpec>& specs_;
};

// What the routes are added with: the process's parts and any component built (a route names
// the component it needs and is gated on its readiness, whatever `api` depends on); null when a
// component is not of the type asked for or not built.
class RouteContext {
 public:
  RouteContext(const ProcessParts& parts, const BuiltComponents& built)
      : parts_(parts), built_(built) {}
  const ProcessParts& process() const { return parts_; }
  const ServiceSettings& settings() const { return parts_.settings; }
  template <class T>
  T* find() const {
    return find_built<T>(built_);
  }

 private:
  const ProcessParts& parts_;
  const BuiltComponents& built_;
};

struct CatalogEntry {
  core::ComponentSpec spec;
  // Builds the component with `spec` (the entry's, so a graph shown by `check` is the graph run).
  std::function<BuiltComponent(const BuildContext&, const core::ComponentSpec& spec)> build;
  // Adjusts the settings read from configuration (e.g. a stop that must outlast a drain).
  std::function<void(core::ComponentSettings&, const Config&)> adjust_settings;
  // Checks the component's own configuration without opening anything (for `netra check`);
  // throws core::ConfigurationError.
  std::function<void(const Config&)> validate;
  // Adapts the declared spec to configuration (e.g. auth_service needs no database when the
  // auth service runs elsewhere). The adapted spec is the one checked, shown and run.
  std::function<void(core::ComponentSpec&, const Config&)> adjust_spec;
};

// An entry whose `build` returns the component as its own type T (a std::shared_ptr<T>).
template <class T, class Build>
CatalogEntry entry_of(core::ComponentSpec spec, Build build) {
  CatalogEntry entry;
  entry.spec = std::move(spec);
  entry.build = [build = std::move(build)](const BuildContext& ctx,
                                           const core::ComponentSpec& spec) {
    return BuiltComponent::of<T>(build(ctx, spec));
  };
  return entry;
}

using ComponentCatalog = std::vector<CatalogEntry>;

// What a `netra` command runs: its components and the routes beyond the built-in health and
// metrics ones.
struct ServiceDefinition {
  ComponentCatalog catalog;
  std::function<void(net::Router&, const RouteContext&)> add_routes;
  bool auth_port = false;  // listens on auth.port instead of server.port
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

// Builds every entry, dependencies first (the graph's order; a graph error is thrown as
// core::GraphError before anything is built), and adds each to `engine`.
BuiltComponents build_components(const ComponentCatalog& catalog, const ProcessParts& parts,
                                 core::Engine& engine);

// Throws core::ConfigurationError listing `problems`, if any.
void throw_if_any(const std::vector<std::string>& problems);

}  // namespace netra::app
