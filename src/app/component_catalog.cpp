#include "app/component_catalog.hpp"

#include "app/api_component.hpp"
#include "app/auth_component.hpp"
#include "app/config.hpp"
#include "app/database_config.hpp"
#include "app/metrics_component.hpp"
#include "core/configuration_error.hpp"
#include "db/database_component.hpp"

namespace netra::app {

AuthConfig auth_config(const Config& config) {
  AuthConfig c;
  c.keys.folder = config.string("auth.key_dir");
  const auto algorithm = config.string("auth.algorithm");
  c.keys.algorithm = algorithm == "EdDSA"   ? auth::KeyAlgorithm::eddsa
                     : algorithm == "HS256" ? auth::KeyAlgorithm::hs256
                                            : auth::KeyAlgorithm::rs256;
  c.keys.shared_secret = config.string("auth.shared_secret");
  c.settings.issuer = config.string("auth.issuer");
  c.settings.audience = config.string("auth.audience");
  c.settings.access_ttl = std::chrono::seconds(config.integer("auth.access_ttl_seconds"));
  c.settings.refresh_ttl = std::chrono::seconds(config.integer("auth.refresh_ttl_seconds"));
  c.dev_login = config.boolean("auth.dev_login");
  return c;
}

ServiceDefinition production_service() {
  ServiceDefinition service;

  CatalogEntry database;
  database.spec = db::DatabaseComponent::make_spec();
  database.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<db::DatabaseComponent>(spec, database_settings(ctx.config), ctx.offload,
                                                   ctx.health, &ctx.metrics);
  };
  database.validate = [](const Config& config) {
    db::validate_settings(database_settings(config));
  };
  service.catalog.push_back(std::move(database));

  CatalogEntry metrics;
  metrics.spec = MetricsComponent::make_spec();
  metrics.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<MetricsComponent>(spec, ctx.metrics, ctx.report);
  };
  service.catalog.push_back(std::move(metrics));

  CatalogEntry auth;
  auth.spec = AuthComponent::make_spec();
  auth.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    auto database = std::dynamic_pointer_cast<db::DatabaseComponent>(ctx.built("database"));
    if (!database) throw std::logic_error("auth_service is built after database");
    return std::make_shared<AuthComponent>(spec, auth_config(ctx.config), ctx.auth, *database,
                                           ctx.offload);
  };
  auth.validate = [](const Config& config) {
    std::vector<std::string> problems;
    if (config.boolean("auth.dev_login") && config.string("environment") == "production") {
      problems.push_back("auth.dev_login = true (from " + config.source("auth.dev_login") +
                         ") is refused with environment = \"production\" (from " +
                         config.source("environment") + ")");
    }
    // The secret itself is never printed, only where it came from and what is wrong with it.
    const auto secret = config.string("auth.shared_secret");
    if (!secret.empty() && secret.size() < auth::kMinSharedSecretBytes) {
      problems.push_back("auth.shared_secret (from " + config.source("auth.shared_secret") +
                         ") is " + std::to_string(secret.size()) + " bytes; at least " +
                         std::to_string(auth::kMinSharedSecretBytes) + " are required");
    }
    if (config.string("auth.algorithm") == "HS256" && secret.empty()) {
      problems.push_back("auth.algorithm = \"HS256\" (from " + config.source("auth.algorithm") +
                         ") needs auth.shared_secret (NETRA_AUTH_SHARED_SECRET)");
    }
    if (!problems.empty()) throw core::ConfigurationError(problems);
  };
  service.catalog.push_back(std::move(auth));

  CatalogEntry api;
  api.spec = ApiComponent::make_spec();
  api.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<ApiComponent>(
        spec, ctx.server, std::chrono::milliseconds(ctx.config.integer("server.drain_timeout_ms")));
  };
  api.adjust_settings = [](core::ComponentSettings& settings, const Config& config) {
    // Stopping the API drains the server; its stop must outlast the drain.
    const std::chrono::milliseconds drain(config.integer("server.drain_timeout_ms"));
    settings.stop_timeout = std::max(settings.stop_timeout, drain + std::chrono::seconds(1));
  };
  service.catalog.push_back(std::move(api));
  return service;
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
  if (!problems.empty()) throw core::ConfigurationError(problems);
}

core::ComponentSettings settings_for(const CatalogEntry& entry, const Config& config) {
  auto settings = config.component_settings(entry.spec.name, entry.spec.criticality);
  if (entry.adjust_settings) entry.adjust_settings(settings, config);
  return settings;
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
