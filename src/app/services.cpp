// The two services this binary runs: the backend (`netra serve`) and the auth service alone
// (`netra auth`). They share the platform's, telemetry's and sign-in's catalog entries; the
// backend verifies tokens with an embedded auth service, or with the keys of a separate one when
// auth.url is set. Each entry (catalog_entries.hpp) builds its component from its layer's typed
// settings and the components it declared; the routes are added over what was built.
#include "agents/agent_supervisor_component.hpp"
#include "analytics/analytics_component.hpp"
#include "api/backend_state.hpp"
#include "api/event_streams.hpp"
#include "api/service_routes.hpp"
#include "app/catalog_entries.hpp"
#include "app/config.hpp"
#include "auth/api_key_verifier.hpp"
#include "auth/auth_state.hpp"
#include "core/build_info.hpp"
#include "db/database_component.hpp"
#include "net/http_server.hpp"
#include "tasks/background_tasks_component.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"

namespace netra::app {

ServiceDefinition production_service() {
  ServiceDefinition service;
  auto shared = std::make_shared<api::BackendState>();
  service.catalog = {database_entry(),
                     redis_entry([shared](const auto& redis) { shared->share_through(redis); }),
                     metrics_entry(shared->instance_id),
                     auth_entry(true),
                     api_entry(),
                     analytics_entry(shared),
                     agent_supervisor_entry(shared),
                     websocket_entry(shared),
                     background_tasks_entry(shared),
                     tracing_entry(shared->instance_id)};
  service.add_routes = [shared](net::Router& router, const RouteContext& ctx) {
    const auto& p = ctx.process();
    // Chat and runs live in the database; a test's stand-in for it leaves their routes out.
    std::shared_ptr<chat::ChatStore> chat;
    std::shared_ptr<agents::AgentRuns> runs;
    std::shared_ptr<auth::ApiKeyVerifier> api_keys;
    std::shared_ptr<analytics::CatalogOverlay> catalog;
    if (auto* database = ctx.find<db::DatabaseComponent>()) {
      chat = shared->chat_store(*database);
      runs = shared->runs(*database);
      catalog = shared->catalog_overlay(*database);
      api_keys = std::make_shared<auth::ApiKeyVerifier>(
          database->database(), p.auth.revoked_sessions(),
          ctx.settings().api.api_keys.requests_per_minute, redis_client(ctx));
      p.auth.set_api_keys(api_keys);
    }
    // Server-sent events hear what the sockets hear.
    auto streams =
        std::make_shared<api::EventStreams>(ctx.settings().api.event_streams.streams_per_user);
    shared->fanout->deliver_to_streams(streams);
    // A logout or a deleted API key ends the streams it opened, as it closes the sockets.
    p.auth.revoked_sessions().listen(
        [weak = std::weak_ptr<api::EventStreams>(streams)](const std::string& revoked) {
          if (auto streams = weak.lock()) streams->revoke(revoked);
        });
    auto* clickhouse = ctx.find<analytics::AnalyticsComponent>();
    api::add_backend_routes(
        router, {.settings = ctx.settings().api,
                 .environment = ctx.settings().process.environment,
                 .auth = p.auth,
                 .remote_auth = ctx.settings().auth.remote(),
                 .tickets = shared->tickets,
                 .api_keys = api_keys,
                 .chat = chat,
                 .thread_events = shared->thread_events,
                 .event_streams = streams,
                 .runs = runs,
                 .agents = ctx.find<agents::AgentSupervisorComponent>() != nullptr,
                 .websocket = shared->socket_server != nullptr,
                 .workloads = clickhouse ? clickhouse->store() : nullptr,
                 .ingest_limits = ctx.settings().ingest,
                 .offload = p.offload,
                 .health = p.health,
                 .redis = redis_client(ctx),
                 .summaries = shared->summaries,
                 .tasks = ctx.find<tasks::BackgroundTasksComponent>(),
                 .component_unavailable =
                     [&server = p.server](const std::string& name) {
                       return server.component_unavailable(name);
                     },
                 .catalog = catalog,
                 .status = {.report = p.report,
                            .draining = p.draining,
                            .registry = &p.health,
                            .loop_lags = [&metrics = p.metrics] { return metrics.loop_lags(); },
                            .problems = telemetry::recent_problems,
                            .version = core::kVersion,
                            .commit = core::kCommit}});
  };
  return service;
}

ServiceDefinition auth_service() {
  ServiceDefinition service;
  service.catalog = {database_entry(), redis_entry({}), metrics_entry(core::make_id("ins")),
                     auth_entry(false), api_entry()};
  service.add_routes = [](net::Router& router, const RouteContext& ctx) {
    api::add_auth_service_routes(router, ctx.settings().api, ctx.process().auth, redis_client(ctx));
  };
  service.auth_port = true;
  return service;
}

}  // namespace netra::app
