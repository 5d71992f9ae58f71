// Signing in: the auth component (embedded, over the database, or the keys of a separate auth
// service named by auth.url) and the API component that drains the HTTP server.
#include <algorithm>

#include "api/api_component.hpp"
#include "app/catalog_entries.hpp"
#include "app/config.hpp"
#include "auth/auth_component.hpp"
#include "auth/remote_auth_component.hpp"
#include "db/database_component.hpp"

namespace netra::app {
namespace {

void validate_auth(const Config& config) {
  auto problems = auth::auth_config_schema().problems(config);
  for (const auto& provider : config.settings().auth.oidc) {
    for (auto& problem : auth::oidc_provider_schema(provider.name).problems(config)) {
      problems.push_back(std::move(problem));
    }
  }
  if (config.settings().auth.dev_login && config.settings().process.production()) {
    problems.push_back("auth.dev_login = true (from " + config.source("auth.dev_login") +
                       ") is refused with environment = \"production\" (from " +
                       config.source("environment") + ")");
  }
  throw_if_any(problems);
}

// The backend's side of a separate auth service: its published keys, fetched when needed.
std::shared_ptr<auth::RemoteAuthComponent> remote_auth(const BuildContext& ctx,
                                                       const core::ComponentSpec& spec) {
  const auto& config = ctx.settings().auth;
  auth::RemoteKeySetOptions options;
  options.verifier.issuer = config.settings.issuer;
  options.verifier.audience = config.settings.audience;
  options.verifier.cache_capacity = 100000;
  options.refresh_interval = config.jwks_refresh_interval;
  std::string base = config.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::make_shared<auth::RemoteAuthComponent>(spec, base + "/.well-known/jwks.json", options,
                                                     ctx.process().auth, config.ca_file,
                                                     dependency_calls(ctx, "jwks"));
}

}  // namespace

CatalogEntry auth_entry(bool allow_remote) {
  CatalogEntry entry;
  entry.spec = auth::AuthComponent::make_spec();
  entry.build = [allow_remote](const BuildContext& ctx, const core::ComponentSpec& spec) {
    if (allow_remote && ctx.settings().auth.remote()) {
      return BuiltComponent::of(remote_auth(ctx, spec));
    }
    return BuiltComponent::of(std::make_shared<auth::AuthComponent>(
        spec, ctx.settings().auth, ctx.process().auth, ctx.get<db::DatabaseComponent>(),
        dependency_calls(ctx, "oidc")));
  };
  entry.validate = validate_auth;
  if (allow_remote) {
    entry.adjust_spec = [](core::ComponentSpec& spec, const Config& config) {
      // Verifying with fetched keys needs no database: nothing to wait for at start-up.
      if (config.settings().auth.remote()) spec.dependencies.clear();
    };
  }
  return entry;
}

CatalogEntry api_entry() {
  auto entry = entry_of<api::ApiComponent>(
      api::ApiComponent::make_spec(), [](const BuildContext& ctx, const auto& spec) {
        return std::make_shared<api::ApiComponent>(spec, ctx.process().server,
                                                   ctx.settings().process.drain_timeout);
      });
  entry.validate = [](const Config& config) {
    throw_if_any(api::api_settings_schema().problems(config));
  };
  entry.adjust_settings = [](core::ComponentSettings& settings, const Config& config) {
    // Stopping the API drains the server; its stop must outlast the drain.
    const auto drain = config.settings().process.drain_timeout;
    settings.stop_timeout = std::max(settings.stop_timeout, drain + std::chrono::seconds(1));
  };
  return entry;
}

}  // namespace netra::app
