// The catalog entries the two services are made of (services.cpp lists them), one per component,
// grouped by what they serve: the platform under everything (platform_entries.cpp: database,
// redis), seeing the service from outside (telemetry_entries.cpp: metrics, tracing), signing in
// (auth_entries.cpp: auth, api), and the backend's own work (backend_entries.cpp: analytics, the
// agent supervisor, the WebSocket channel, background jobs) over the state it shares
// (api/backend_state.hpp).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/component_catalog.hpp"
#include "net/http_client.hpp"

namespace netra::redis {
class RedisClient;
}
namespace netra::api {
struct BackendState;
}

namespace netra::app {

// Times each call of a component's HTTP client as calls to `dependency`
// (netra_dependency_duration_seconds); nothing when monitoring is off.
net::CallObserver dependency_calls(const BuildContext& ctx, std::string dependency);

// The redis component's client, if the service has one (empty without redis.url).
std::weak_ptr<redis::RedisClient> redis_client(const RouteContext& ctx);

// `database`: PostgreSQL or SQLite (database.url).
CatalogEntry database_entry();
// `redis`: state shared by the instances (redis.url), or none (one instance). With a client,
// revoked logins go through it, and whatever else this service shares (`share`), wired before
// the client opens.
using ShareThroughRedis = std::function<void(const std::shared_ptr<redis::RedisClient>&)>;
CatalogEntry redis_entry(ShareThroughRedis share);

// `metrics`: the Prometheus registry's component, with the warning monitor (monitoring.*).
CatalogEntry metrics_entry(std::string instance_id);
// `tracing`: spans exported over OTLP/HTTP (tracing.*).
CatalogEntry tracing_entry(std::string instance_id);

// `auth_service`. `allow_remote`: the backend follows auth.url; the auth service itself always
// embeds.
CatalogEntry auth_entry(bool allow_remote);
// `api`: the HTTP server's component, drained when it stops.
CatalogEntry api_entry();

// `clickhouse`: workload events in ClickHouse (analytics.url) or the embedded store.
CatalogEntry analytics_entry(std::shared_ptr<api::BackendState> shared);
// `agent_supervisor`: agent runs over the chat stores and the workload store of `clickhouse`.
CatalogEntry agent_supervisor_entry(std::shared_ptr<api::BackendState> shared);
// `websocket`: the /ws channel.
CatalogEntry websocket_entry(std::shared_ptr<api::BackendState> shared);
// `background_tasks`: durable jobs and schedules on the database.
CatalogEntry background_tasks_entry(std::shared_ptr<api::BackendState> shared);

}  // namespace netra::app
