#include "app/component_catalog.hpp"

#include "app/config.hpp"
#include "core/configuration_error.hpp"

namespace netra::app {

void validate_components(const ComponentCatalog& catalog, const Config& config) {
  std::vector<std::string> problems;
  for (const auto& entry : catalog) {
    try {
      if (entry.validate) entry.validate(config);
    } catch (const core::ConfigurationError& e) {
      problems.insert(problems.end(), e.errors().begin(), e.errors().end());
    }
  }
  if (!problems.empty()) throw core::ConfigurationError(problems);
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

}  // namespace netra::app
