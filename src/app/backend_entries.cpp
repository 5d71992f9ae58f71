// The backend's own components: workload analytics, the agent supervisor, the WebSocket channel
// and background jobs, each wired to the state the backend shares (api/backend_state.hpp).
#include "agents/agent_supervisor_component.hpp"
#include "analytics/analytics_component.hpp"
#include "api/backend_state.hpp"
#include "app/catalog_entries.hpp"
#include "app/config.hpp"
#include "auth/auth_state.hpp"
#include "db/database_component.hpp"
#include "net/http_server.hpp"
#include "redis/redis_component.hpp"
#include "tasks/analytics_jobs.hpp"
#include "tasks/background_tasks_component.hpp"
#include "tasks/maintenance_jobs.hpp"
#include "tasks/synthetic_workload_job.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/tracer.hpp"

namespace netra::app {
namespace {

// A run's look at the catalog before it prices: a database that does not answer leaves the
// installed catalog, and the run goes on.
boost::asio::awaitable<void> refresh_catalog(std::shared_ptr<analytics::CatalogOverlay> catalog) {
  auto refreshed = co_await catalog->refresh(core::Deadline::after(std::chrono::seconds(2)));
  if (!refreshed.ok()) {
    telemetry::logger("agent_supervisor")
        ->warn(
            "the model catalog's entries could not be read; pricing with the installed "
            "catalog: {}",
            refreshed.message());
  }
}

boost::asio::awaitable<void> drop_summaries(std::shared_ptr<redis::SharedCache> cache,
                                            std::string user) {
  co_await cache->drop(std::move(user));
}

}  // namespace

CatalogEntry websocket_entry(std::shared_ptr<api::BackendState> shared) {
  return entry_of<net::WebSocketComponent>(
      net::WebSocketComponent::make_spec(), [shared](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>();
        const auto& settings = ctx.settings().websocket;
        auto& auth = ctx.process().auth;
        auto chat = shared->chat_store(database);
        auto runs = shared->runs(database);
        shared->socket_handler = std::make_unique<api::ChatSocket>(
            auth, shared->tickets, chat, *runs, shared->thread_events, settings.ping_interval);
        shared->socket_handler->count_across_instances(shared->socket_places,
                                                       settings.max_connections_per_user);
        shared->socket_server =
            std::make_shared<net::WebSocketServer>(settings, *shared->socket_handler);
        shared->fanout->deliver_to(shared->socket_server);
        // A login revoked here (logout, a stolen refresh token) closes the sockets it opened.
        auth.revoked_sessions().listen([server = std::weak_ptr<net::WebSocketServer>(
                                            shared->socket_server)](const std::string& sid) {
          if (auto s = server.lock()) s->close_session(sid);
        });
        ctx.process().server.attach_websocket("/ws", shared->socket_server);
        return std::make_shared<net::WebSocketComponent>(spec, shared->socket_server,
                                                         &ctx.process().health);
      });
}

CatalogEntry agent_supervisor_entry(std::shared_ptr<api::BackendState> shared) {
  auto entry = entry_of<agents::AgentSupervisorComponent>(
      agents::AgentSupervisorComponent::make_spec(),
      [shared](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>();
        auto runs = shared->runs(database);
        auto chat = shared->chat_store(database);
        analytics::AnalyticsStore* workloads = nullptr;
        if (auto* clickhouse = ctx.find<analytics::AnalyticsComponent>()) {
          workloads = clickhouse->store().get();
        } else {
          shared->embedded_analytics =
              std::make_unique<analytics::EmbeddedAnalyticsStore>(database.database());
          workloads = shared->embedded_analytics.get();
        }
        agents::RunDependencies deps{*workloads, chat->runs, chat->messages, *shared->run_events};
        deps.threads = &chat->threads;
        deps.refresh_catalog = [catalog = shared->catalog_overlay(database)]() {
          return refresh_catalog(catalog);
        };
        deps.thread_titled = [events = shared->thread_events](const chat::Thread& thread) {
          events->renamed(thread);
        };
        auto component = std::make_shared<agents::AgentSupervisorComponent>(
            spec, ctx.settings().supervisor, *runs, deps, ctx.settings().llm, &ctx.process().health,
            dependency_calls(ctx, "llm"));
        if (auto* redis = ctx.find<redis::RedisComponent>(); redis && redis->client()) {
          component->use_leases(
              std::make_shared<agents::RunLeases>(redis->client(), shared->instance_id));
          component->count_users_runs_in(shared->run_places);
        }
        return component;
      });
  // A bad agents.llm.* (an unusable URL, no model) is a configuration error, before anything
  // starts.
  entry.validate = [](const Config& config) {
    throw_if_any(agents::llm_settings_schema().problems(config));
  };
  return entry;
}

// `clickhouse`: workload events in ClickHouse (analytics.url) or the embedded store. With
// `background_tasks` (built first: a soft dependency), its jobs — the users' synthetic data
// always, retention and the outage replay with ClickHouse — are registered there.
CatalogEntry analytics_entry(std::shared_ptr<api::BackendState> shared) {
  auto entry = entry_of<analytics::AnalyticsComponent>(
      analytics::AnalyticsComponent::make_spec(),
      [shared](const BuildContext& ctx, const auto& spec) {
        auto component = std::make_shared<analytics::AnalyticsComponent>(
            spec, ctx.settings().analytics, ctx.get<db::DatabaseComponent>().database(),
            ctx.process().offload, ctx.process().health, dependency_calls(ctx, "clickhouse"));
        // Built even when disabled; then its workers never run, and the replay drains in place.
        if (auto* tasks = ctx.find<tasks::BackgroundTasksComponent>()) {
          if (component->has_clickhouse()) tasks::add_analytics_jobs(*tasks, component);
          tasks->handle(
              tasks::kSyntheticWorkloadKind,
              std::make_shared<tasks::SyntheticWorkloadJob>(
                  component->store(), ctx.process().offload,
                  [fanout = shared->fanout](const std::string& user, nlohmann::json message) {
                    fanout->send(user, message.dump());
                  },
                  [cache = shared->summaries](std::string user) {
                    return drop_summaries(cache, std::move(user));
                  }));
        }
        return component;
      });
  entry.validate = [](const Config& config) {
    throw_if_any(analytics::analytics_settings_schema().problems(config));
  };
  entry.adjust_spec = [](core::ComponentSpec& spec, const Config&) {
    spec.dependencies.push_back(core::uses_component(tasks::BackgroundTasksComponent::kName));
  };
  return entry;
}

// `background_tasks`: durable jobs and schedules on the database, with the service's own
// recurring work (and, registered by `clickhouse`, its analytics jobs and the users'
// synthetic-data jobs). With Redis, the instances wake each other's workers when they queue a job.
CatalogEntry background_tasks_entry(std::shared_ptr<api::BackendState> shared) {
  return entry_of<tasks::BackgroundTasksComponent>(
      tasks::BackgroundTasksComponent::make_spec(),
      [shared](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>().database();
        auto component = std::make_shared<tasks::BackgroundTasksComponent>(
            spec, database, shared->instance_id, ctx.settings().tasks, ctx.process().metrics,
            ctx.process().health);
        tasks::add_maintenance_jobs(*component, database, ctx.settings().tasks);
        component->trace_jobs(ctx.process().tracer, ctx.settings().tracing.sample_ratio);
        component->announce_through([wakeups = shared->job_wakeups] { wakeups->publish(); });
        shared->job_wakeups->listen(
            [weak = std::weak_ptr<tasks::BackgroundTasksComponent>(component)] {
              if (auto tasks = weak.lock()) tasks->wake();
            });
        return component;
      });
}

}  // namespace netra::app
