// The two services this binary runs: the backend (`netra serve`) and the auth service alone
// (`netra auth`). They share the catalog entries below; the backend verifies tokens with an
// embedded auth service, or with the keys of a separate one when auth.url is set. Each entry
// builds its component from its layer's typed settings and the components it declared.
#include <algorithm>

#include "agents/agent_runs.hpp"
#include "agents/agent_supervisor_component.hpp"
#include "analytics/analytics_component.hpp"
#include "analytics/catalog_overlay.hpp"
#include "analytics/embedded_store.hpp"
#include "api/api_component.hpp"
#include "api/chat_json.hpp"
#include "api/chat_socket.hpp"
#include "api/event_streams.hpp"
#include "api/run_event_fanout.hpp"
#include "api/service_routes.hpp"
#include "api/workload_routes.hpp"
#include "app/component_catalog.hpp"
#include "app/config.hpp"
#include "auth/api_key_verifier.hpp"
#include "auth/auth_component.hpp"
#include "auth/remote_auth_component.hpp"
#include "auth/shared_revocations.hpp"
#include "auth/ticket_store.hpp"
#include "chat/chat_store.hpp"
#include "chat/run_event_sink.hpp"
#include "core/build_info.hpp"
#include "core/id.hpp"
#include "db/database_component.hpp"
#include "db/postgres_conninfo.hpp"
#include "net/http_client.hpp"
#include "net/http_json.hpp"
#include "net/http_server.hpp"
#include "net/websocket_component.hpp"
#include "redis/cluster_slots.hpp"
#include "redis/cluster_wakeups.hpp"
#include "redis/redis_component.hpp"
#include "redis/shared_cache.hpp"
#include "tasks/analytics_jobs.hpp"
#include "tasks/background_tasks_component.hpp"
#include "tasks/maintenance_jobs.hpp"
#include "tasks/synthetic_workload_job.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/metrics_component.hpp"
#include "telemetry/tracing_component.hpp"
#include "telemetry/warning_monitor.hpp"

namespace netra::app {
namespace {

// Times each call of a component's HTTP client as calls to `dependency`
// (netra_dependency_duration_seconds).
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

// `redis`: state shared by the instances (redis.url), or none (one instance). With a client,
// revoked logins go through it, and whatever else this service shares (`share`: tickets, run
// events), wired before the client opens.
using ShareThroughRedis = std::function<void(const std::shared_ptr<redis::RedisClient>&)>;
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

// The redis component's client, if the service has one (empty without redis.url).
std::weak_ptr<redis::RedisClient> redis_client(const RouteContext& ctx) {
  auto* component = ctx.find<redis::RedisComponent>();
  if (component == nullptr) return {};
  return component->client();
}

// Posts one JSON body (spans to the collector, a warning to the webhook) with a client the
// callback keeps alive.
boost::asio::awaitable<std::string> post_json(std::shared_ptr<net::HttpClient> client,
                                              std::string url, std::string body,
                                              core::Deadline deadline) {
  co_return co_await net::post_json(*client, std::move(url), std::move(body), deadline);
}

std::shared_ptr<telemetry::WarningMonitor> warning_monitor(const BuildContext& ctx,
                                                           const std::string& instance_id) {
  const auto& p = ctx.process();
  if (p.loops.empty() || !ctx.settings().monitoring.enabled) return nullptr;
  const auto& settings = ctx.settings().monitoring;
  telemetry::WarningMonitor::Webhook webhook;
  if (!settings.webhook_url.empty()) {
    // Made only with a URL: a client loads the certificate authorities when made.
    net::HttpClientOptions options;
    options.max_response_body_bytes = 64 * 1024;
    options.ca_file = ctx.settings().auth.ca_file;
    auto client = std::make_shared<net::HttpClient>(options);
    webhook = [client, url = settings.webhook_url](std::string body, core::Deadline deadline) {
      return post_json(client, url, std::move(body), deadline);
    };
  }
  return std::make_shared<telemetry::WarningMonitor>(
      p.loops.front(),
      telemetry::WarningMonitor::Sources{p.metrics, p.health, p.offload,
                                         db::sqlite_directory(ctx.settings().database)},
      settings, webhook, instance_id);
}

CatalogEntry metrics_entry(std::string instance_id) {
  auto entry = entry_of<telemetry::MetricsComponent>(
      telemetry::MetricsComponent::make_spec(),
      [instance_id](const BuildContext& ctx, const auto& spec) {
        return std::make_shared<telemetry::MetricsComponent>(
            spec, ctx.process().metrics, ctx.process().report, warning_monitor(ctx, instance_id));
      });
  entry.validate = [](const Config& config) {
    throw_if_any(telemetry::monitoring_settings_schema().problems(config));
  };
  return entry;
}

using SpanTransport = telemetry::SpanExporter::Transport;

CatalogEntry tracing_entry(std::string instance_id) {
  auto entry = entry_of<telemetry::TracingComponent>(
      telemetry::TracingComponent::make_spec(),
      [instance_id](const BuildContext& ctx, const auto& spec) {
        const auto& settings = ctx.settings().tracing;
        // Its own client: spans never queue behind ClickHouse's or the language model's calls.
        // Made only with an endpoint: a client loads the system's certificate authorities when
        // made (about 40 ms, which a restart would otherwise pay for nothing).
        SpanTransport transport;
        if (!settings.otlp_endpoint.empty()) {
          net::HttpClientOptions options;
          options.max_response_body_bytes = 1024 * 1024;
          options.ca_file = ctx.settings().auth.ca_file;
          auto client = std::make_shared<net::HttpClient>(options);
          transport = [client, url = settings.traces_url()](std::string body,
                                                            core::Deadline deadline) {
            return post_json(client, url, std::move(body), deadline);
          };
        }
        return std::make_shared<telemetry::TracingComponent>(
            spec, settings,
            telemetry::TraceResource{.service_name = "netra",
                                     .service_version = core::kVersion,
                                     .instance_id = instance_id},
            transport, ctx.process().tracer, ctx.process().health);
      });
  entry.validate = [](const Config& config) {
    throw_if_any(telemetry::tracing_settings_schema().problems(config));
  };
  return entry;
}

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

// `allow_remote`: the backend follows auth.url; the auth service itself always embeds.
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

// What the backend's routes and components share, made once per process.
struct SharedParts {
  // Issued by POST /api/websocket/ticket, redeemed by the WebSocket handshake.
  auth::TicketStore tickets;
  std::shared_ptr<chat::ChatStore> chat;
  // Where agent runs report: each event a stored step, then sent to the user's sockets.
  std::unique_ptr<chat::RunEventSink> run_events;
  // How the socket and the REST API start and stop runs; the supervisor attaches to it.
  std::shared_ptr<agents::AgentRuns> agent_runs;
  // The agents' workload data when the clickhouse component is not ours: its embedded table.
  std::unique_ptr<analytics::EmbeddedAnalyticsStore> embedded_analytics;
  // The /ws channel: what its messages mean, and the socket server.
  std::unique_ptr<api::ChatSocket> socket_handler;
  std::shared_ptr<net::WebSocketServer> socket_server;
  // This process among the instances (run events it published, leases it holds).
  const std::string instance_id = core::make_id("ins");
  // Run events to this instance's sockets and, with Redis, to every other instance's.
  std::shared_ptr<api::RunEventFanout> fanout = std::make_shared<api::RunEventFanout>(instance_id);
  // A thread created, renamed or deleted (over REST or a socket), to the user's sockets the same
  // way.
  std::shared_ptr<const api::ThreadEvents> thread_events = std::make_shared<api::ThreadEvents>(
      [fanout = fanout](const std::string& user, std::string text) {
        fanout->send(user, std::move(text));
      });
  // With Redis, the per-user limits count the whole cluster: a user's sockets, a user's runs.
  std::shared_ptr<redis::ClusterSlots> socket_places = redis::ClusterSlots::create("sockets");
  std::shared_ptr<redis::ClusterSlots> run_places = redis::ClusterSlots::create("runs");
  // Each user's workload summaries, kept for a while: the ingest route and the synthetic-data
  // jobs drop them when they write.
  std::shared_ptr<redis::SharedCache> summaries = api::make_summary_cache();
  // With Redis, a job queued on one instance wakes the idle workers of every other.
  std::shared_ptr<redis::ClusterWakeups> job_wakeups =
      redis::ClusterWakeups::create("netra:jobs", instance_id);

  void share_through(const std::shared_ptr<redis::RedisClient>& redis) {
    tickets.share_through(redis);
    fanout->share_through(redis);
    socket_places->share_through(redis);
    run_places->share_through(redis);
    summaries->share_through(redis);
    job_wakeups->share_through(redis);
  }

  std::shared_ptr<chat::ChatStore> chat_store(db::DatabaseComponent& database) {
    if (!chat) chat = std::make_shared<chat::ChatStore>(database.database());
    return chat;
  }

  // The model catalog with the administrators' entries over it, for the runs and the routes.
  std::shared_ptr<analytics::CatalogOverlay> catalog;
  std::shared_ptr<analytics::CatalogOverlay> catalog_overlay(db::DatabaseComponent& database) {
    // The base is what the command line installed: compiled in, or agents.catalog_file.
    if (!catalog) {
      catalog = std::make_shared<analytics::CatalogOverlay>(database.database(),
                                                            analytics::installed_catalog());
    }
    return catalog;
  }

  std::shared_ptr<agents::AgentRuns> runs(db::DatabaseComponent& database) {
    if (!agent_runs) {
      auto store = chat_store(database);
      // Events reach sockets only when /ws runs; stored steps serve GET /api/runs/{id} anyway.
      // The socket server is made while the catalog is built, before any run can start.
      run_events = std::make_unique<chat::RunEventSink>(
          store->runs, [this](const chat::AgentEvent& event) { fanout->deliver(event); });
      agent_runs = std::make_shared<agents::AgentRuns>(*store, *run_events);
      agent_runs->announce_threads(
          [events = thread_events](const chat::Thread& thread) { events->created(thread); });
    }
    return agent_runs;
  }
};

CatalogEntry websocket_entry(std::shared_ptr<SharedParts> parts) {
  return entry_of<net::WebSocketComponent>(
      net::WebSocketComponent::make_spec(), [parts](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>();
        const auto& settings = ctx.settings().websocket;
        auto& auth = ctx.process().auth;
        auto chat = parts->chat_store(database);
        auto runs = parts->runs(database);
        parts->socket_handler = std::make_unique<api::ChatSocket>(
            auth, parts->tickets, chat, *runs, parts->thread_events, settings.ping_interval);
        parts->socket_handler->count_across_instances(parts->socket_places,
                                                      settings.max_connections_per_user);
        parts->socket_server =
            std::make_shared<net::WebSocketServer>(settings, *parts->socket_handler);
        parts->fanout->deliver_to(parts->socket_server);
        // A login revoked here (logout, a stolen refresh token) closes the sockets it opened.
        auth.revoked_sessions().listen([server = std::weak_ptr<net::WebSocketServer>(
                                            parts->socket_server)](const std::string& sid) {
          if (auto s = server.lock()) s->close_session(sid);
        });
        ctx.process().server.attach_websocket("/ws", parts->socket_server);
        return std::make_shared<net::WebSocketComponent>(spec, parts->socket_server,
                                                         &ctx.process().health);
      });
}

// `agent_supervisor`: agent runs over the chat stores and the workload store of `clickhouse`.
CatalogEntry agent_supervisor_entry(std::shared_ptr<SharedParts> parts) {
  auto entry = entry_of<agents::AgentSupervisorComponent>(
      agents::AgentSupervisorComponent::make_spec(),
      [parts](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>();
        auto runs = parts->runs(database);
        auto chat = parts->chat_store(database);
        analytics::AnalyticsStore* workloads = nullptr;
        if (auto* clickhouse = ctx.find<analytics::AnalyticsComponent>()) {
          workloads = clickhouse->store().get();
        } else {
          parts->embedded_analytics =
              std::make_unique<analytics::EmbeddedAnalyticsStore>(database.database());
          workloads = parts->embedded_analytics.get();
        }
        agents::RunDependencies deps{*workloads, chat->runs, chat->messages, *parts->run_events};
        deps.threads = &chat->threads;
        deps.refresh_catalog = [catalog = parts->catalog_overlay(database)]() {
          return refresh_catalog(catalog);
        };
        deps.thread_titled = [events = parts->thread_events](const chat::Thread& thread) {
          events->renamed(thread);
        };
        auto component = std::make_shared<agents::AgentSupervisorComponent>(
            spec, ctx.settings().supervisor, *runs, deps, ctx.settings().llm, &ctx.process().health,
            dependency_calls(ctx, "llm"));
        if (auto* redis = ctx.find<redis::RedisComponent>(); redis && redis->client()) {
          component->use_leases(
              std::make_shared<agents::RunLeases>(redis->client(), parts->instance_id));
          component->count_users_runs_in(parts->run_places);
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

boost::asio::awaitable<void> drop_summaries(std::shared_ptr<redis::SharedCache> cache,
                                            std::string user) {
  co_await cache->drop(std::move(user));
}

// `clickhouse`: workload events in ClickHouse (analytics.url) or the embedded store. With
// `background_tasks` (built first: a soft dependency), its jobs — the users' synthetic data
// always, retention and the outage replay with ClickHouse — are registered there.
CatalogEntry analytics_entry(std::shared_ptr<SharedParts> parts) {
  auto entry = entry_of<analytics::AnalyticsComponent>(
      analytics::AnalyticsComponent::make_spec(),
      [parts](const BuildContext& ctx, const auto& spec) {
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
                  [fanout = parts->fanout](const std::string& user, nlohmann::json message) {
                    fanout->send(user, message.dump());
                  },
                  [cache = parts->summaries](std::string user) {
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
CatalogEntry background_tasks_entry(std::shared_ptr<SharedParts> parts) {
  return entry_of<tasks::BackgroundTasksComponent>(
      tasks::BackgroundTasksComponent::make_spec(),
      [parts](const BuildContext& ctx, const auto& spec) {
        auto& database = ctx.get<db::DatabaseComponent>().database();
        auto component = std::make_shared<tasks::BackgroundTasksComponent>(
            spec, database, parts->instance_id, ctx.settings().tasks, ctx.process().metrics,
            ctx.process().health);
        tasks::add_maintenance_jobs(*component, database, ctx.settings().tasks);
        component->trace_jobs(ctx.process().tracer, ctx.settings().tracing.sample_ratio);
        component->announce_through([wakeups = parts->job_wakeups] { wakeups->publish(); });
        parts->job_wakeups->listen(
            [weak = std::weak_ptr<tasks::BackgroundTasksComponent>(component)] {
              if (auto tasks = weak.lock()) tasks->wake();
            });
        return component;
      });
}

}  // namespace

ServiceDefinition production_service() {
  ServiceDefinition service;
  auto parts = std::make_shared<SharedParts>();
  service.catalog = {database_entry(),
                     redis_entry([parts](const auto& redis) { parts->share_through(redis); }),
                     metrics_entry(parts->instance_id),
                     auth_entry(true),
                     api_entry(),
                     analytics_entry(parts),
                     agent_supervisor_entry(parts),
                     websocket_entry(parts),
                     background_tasks_entry(parts),
                     tracing_entry(parts->instance_id)};
  service.add_routes = [parts](net::Router& router, const RouteContext& ctx) {
    const auto& p = ctx.process();
    // Chat and runs live in the database; a test's stand-in for it leaves their routes out.
    std::shared_ptr<chat::ChatStore> chat;
    std::shared_ptr<agents::AgentRuns> runs;
    std::shared_ptr<auth::ApiKeyVerifier> api_keys;
    std::shared_ptr<analytics::CatalogOverlay> catalog;
    if (auto* database = ctx.find<db::DatabaseComponent>()) {
      chat = parts->chat_store(*database);
      runs = parts->runs(*database);
      catalog = parts->catalog_overlay(*database);
      api_keys = std::make_shared<auth::ApiKeyVerifier>(
          database->database(), p.auth.revoked_sessions(),
          ctx.settings().api.api_keys.requests_per_minute, redis_client(ctx));
      p.auth.set_api_keys(api_keys);
    }
    // Server-sent events hear what the sockets hear.
    auto streams =
        std::make_shared<api::EventStreams>(ctx.settings().api.event_streams.streams_per_user);
    parts->fanout->deliver_to_streams(streams);
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
                 .tickets = parts->tickets,
                 .api_keys = api_keys,
                 .chat = chat,
                 .thread_events = parts->thread_events,
                 .event_streams = streams,
                 .runs = runs,
                 .agents = ctx.find<agents::AgentSupervisorComponent>() != nullptr,
                 .websocket = parts->socket_server != nullptr,
                 .workloads = clickhouse ? clickhouse->store() : nullptr,
                 .ingest_limits = ctx.settings().ingest,
                 .offload = p.offload,
                 .health = p.health,
                 .redis = redis_client(ctx),
                 .summaries = parts->summaries,
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
