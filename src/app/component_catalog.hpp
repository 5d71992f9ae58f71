// ComponentCatalog: the components this binary can run, each declared (name, criticality,
// dependencies) before configuration is read, and built from the configuration afterwards.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/component.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::app {

class Config;

// What a component may need from the process when it is built.
struct BuildContext {
  const Config& config;
  core::OffloadPool& offload;
};

struct CatalogEntry {
  core::ComponentSpec spec;
  std::function<std::shared_ptr<core::Component>(const BuildContext&)> build;
};

using ComponentCatalog = std::vector<CatalogEntry>;

// The real components of `netra serve`. Later issues add database, redis, api, ... here.
ComponentCatalog production_catalog();

std::vector<core::ComponentSpec> specs_of(const ComponentCatalog& catalog);
std::vector<std::string> names_of(const ComponentCatalog& catalog);

}  // namespace netra::app
