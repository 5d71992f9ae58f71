#include "app/component_catalog.hpp"

namespace netra::app {

ComponentCatalog production_catalog() {
  // Components arrive with the issues that build them (HTTP api, database, redis, ...); until
  // then `netra serve` runs the engine with none rather than with placeholders.
  return {};
}

std::vector<core::ComponentSpec> specs_of(const ComponentCatalog& catalog) {
  std::vector<core::ComponentSpec> specs;
  for (const auto& entry : catalog) specs.push_back(entry.spec);
  return specs;
}

std::vector<std::string> names_of(const ComponentCatalog& catalog) {
  std::vector<std::string> names;
  for (const auto& entry : catalog) names.push_back(entry.spec.name);
  return names;
}

}  // namespace netra::app
