// The platform under every other component: the database and Redis, and the two helpers the
// other entries use to reach them (a dependency's call timings, the Redis client for routes).
#include "app/catalog_entries.hpp"
#include "app/config.hpp"
#include "auth/auth_state.hpp"
#include "auth/shared_revocations.hpp"
#include "core/event_loops.hpp"
#include "db/database_component.hpp"
#include "db/postgres_conninfo.hpp"
#include "redis/redis_component.hpp"
#include "telemetry/metrics.hpp"

namespace netra::app {

net::CallObserver dependency_calls(const BuildContext& ctx, std::string dependency) {
  if (!ctx.settings().monitoring.enabled) return nullptr;
  return [&metrics = ctx.process().metrics, dependency = std::move(dependency)](
             std::string_view operation, double seconds, bool ok) {
    metrics.dependency_call(dependency, operation, seconds, ok);
  };
}

CatalogEntry database_entry() {
  auto entry = entry_of<db::DatabaseComponent>(
      db::DatabaseComponent::make_spec(), [](const BuildContext& ctx, const auto& spec) {
        const auto& p = ctx.process();
        const bool timed = ctx.settings().monitoring.enabled;
        return std::make_shared<db::DatabaseComponent>(spec, ctx.settings().database, p.offload,
                                                       p.health, timed ? &p.metrics : nullptr);
      });
  entry.validate = [](const Config& config) {
    auto problems = db::database_settings_schema().problems(config);
    // In production, the database is a server that proves who it is, unless the operator said
    // otherwise in so many words.
    const auto& settings = config.settings().database;
    if (config.settings().process.production() && settings.url.rfind("sqlite:", 0) != 0 &&
        !settings.allow_unverified_tls) {
      if (auto server = db::unverified_remote_server(settings.url, settings.tls); !server.empty()) {
        problems.push_back("database.url names " + server +
                           " with environment = \"production\" (from " +
                           config.source("environment") +
                           "): set database.ssl_mode = \"verify-full\" (and ssl_root_cert), or "
                           "database.allow_unverified_tls = true to accept an unverified server");
      }
    }
    throw_if_any(problems);
  };
  return entry;
}

CatalogEntry redis_entry(ShareThroughRedis share) {
  auto build = [share](const BuildContext& ctx, const core::ComponentSpec& spec) {
    const auto& p = ctx.process();
    auto component = std::make_shared<redis::RedisComponent>(
        spec, ctx.settings().redis, p.loops, p.health, dependency_calls(ctx, "redis"));
    if (auto client = component->client()) {
      std::make_shared<auth::SharedRevocations>(p.auth.revoked_sessions(), client, p.loops.front())
          ->attach();
      if (share) share(client);
    }
    return component;
  };
  auto entry = entry_of<redis::RedisComponent>(redis::RedisComponent::make_spec(), build);
  entry.validate = [](const Config& config) {
    throw_if_any(redis::redis_settings_schema().problems(config));
  };
  return entry;
}

std::weak_ptr<redis::RedisClient> redis_client(const RouteContext& ctx) {
  auto* component = ctx.find<redis::RedisComponent>();
  if (component == nullptr) return {};
  return component->client();
}

}  // namespace netra::app
