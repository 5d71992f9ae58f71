#include "app/component_catalog.hpp"

#include <set>

#include "app/config.hpp"
#include "core/component_graph.hpp"
#include "core/configuration_error.hpp"
#include "telemetry/tracer.hpp"

namespace netra::app {

telemetry::Tracer& ProcessParts::no_tracer() {
  static telemetry::Tracer tracer;  // nothing attached: spans go nowhere
  return tracer;
}

bool BuildContext::declares(const std::string& name) const {
  // Direct dependencies of any kind, and what they in turn require (started before them).
  std::set<std::string> seen;
  std::vector<const core::ComponentSpec*> pending{&spec_};
  bool direct = true;
  while (!pending.empty()) {
    const auto* spec = pending.back();
    pending.pop_back();
    for (const auto& dependency : spec->dependencies) {
      if (!direct && dependency.kind != core::DependencyKind::hard) continue;
      if (dependency.name == name) return true;
      if (!seen.insert(dependency.name).second) continue;
      if (auto it = specs_.find(dependency.name); it != specs_.end())
        pending.push_back(&it->second);
    }
    direct = false;
  }
  return false;
}

void BuildContext::refuse(const std::string& name, const std::string& why) const {
  throw core::ConfigurationError(std::vector<std::string>{
      "component " + spec_.name + " uses component " + name + ", which " + why});
}

void throw_if_any(const std::vector<std::string>& problems) {
  if (!problems.empty()) throw core::ConfigurationError(problems);
}

void validate_components(const ComponentCatalog& catalog, const Config& config) {
  std::vector<std::string> problems;
  for (const auto& entry : catalog) {
    try {
      if (entry.validate) entry.validate(config);
    } catch (const core::ConfigurationError& e) {
      problems.insert(problems.end(), e.errors().begin(), e.errors().end());
    }
  }
  throw_if_any(problems);
}

core::ComponentSettings settings_for(const CatalogEntry& entry, const Config& config) {
  auto settings = config.component_settings(entry.spec.name, entry.spec.criticality);
  if (entry.adjust_settings) entry.adjust_settings(settings, config);
  return settings;
}

core::ComponentSpec spec_for(const CatalogEntry& entry, const Config& config) {
  auto spec = entry.spec;
  if (entry.adjust_spec) entry.adjust_spec(spec, config);
  return spec;
}

std::vector<core::ComponentSpec> specs_for(const ComponentCatalog& catalog, const Config& config) {
  std::vector<core::ComponentSpec> specs;
  for (const auto& entry : catalog) specs.push_back(spec_for(entry, config));
  return specs;
}

std::vector<std::string> names_of(const ComponentCatalog& catalog) {
  std::vector<std::string> names;
  for (const auto& entry : catalog) names.push_back(entry.spec.name);
  return names;
}

BuiltComponents build_components(const ComponentCatalog& catalog, const ProcessParts& parts,
                                 core::Engine& engine) {
  const auto specs = specs_for(catalog, parts.config);
  std::map<std::string, core::ComponentSpec> by_name;
  for (const auto& spec : specs) by_name.emplace(spec.name, spec);
  // Every entry is built, whatever the profile starts: the order is the full graph's.
  const auto graph = core::ComponentGraph::build(specs, core::Profile{});
  BuiltComponents built;
  for (const size_t i : graph.topological_order()) {
    const BuildContext context(parts, specs[i], built, by_name);
    auto component = catalog[i].build(context, specs[i]);
    auto handle = component.component;
    built.emplace(specs[i].name, std::move(component));
    engine.add(std::move(handle), settings_for(catalog[i], parts.config));
  }
  return built;
}

}  // namespace netra::app
