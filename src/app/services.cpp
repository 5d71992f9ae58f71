// The two services this binary runs: the backend (`netra serve`) and the auth service alone
// (`netra auth`). They share the catalog entries below; the backend verifies tokens with an
// embedded auth service, or with the keys of a separate one when auth.url is set.
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <filesystem>

#include "agents/agent_runs.hpp"
#include "agents/agent_supervisor_component.hpp"
#include "analytics/analytics_component.hpp"
#include "analytics/embedded_store.hpp"
#include "api/api_component.hpp"
#include "api/auth_routes.hpp"
#include "api/chat_json.hpp"
#include "api/chat_routes.hpp"
#include "api/chat_socket.hpp"
#include "api/openapi.hpp"
#include "api/public_config_route.hpp"
#include "api/ticket_routes.hpp"
#include "api/workload_routes.hpp"
#include "app/agents_config.hpp"
#include "app/analytics_config.hpp"
#include "app/component_catalog.hpp"
#include "app/config.hpp"
#include "app/database_config.hpp"
#include "auth/auth_component.hpp"
#include "auth/remote_auth_component.hpp"
#include "auth/ticket_store.hpp"
#include "chat/chat_store.hpp"
#include "chat/run_event_sink.hpp"
#include "core/configuration_error.hpp"
#include "core/health_registry.hpp"
#include "db/database_component.hpp"
#include "db/postgres_conninfo.hpp"
#include "net/client_address.hpp"
#include "net/http_server.hpp"
#include "net/http_url.hpp"
#include "net/json_error.hpp"
#include "net/router.hpp"
#include "net/websocket_component.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics_component.hpp"

namespace netra::app {
namespace {

namespace asio = boost::asio;

auth::AuthConfig auth_config(const Config& config) {
  auth::AuthConfig c;
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
  c.hash_threads = static_cast<size_t>(config.integer("auth.hash_threads"));
  c.hash_queue = static_cast<size_t>(config.integer("auth.hash_queue"));
  return c;
}

// 127.0.0.0/8, ::1 or "localhost": the auth service on this machine, where plain HTTP stays on
// the loopback interface.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

bool auth_is_remote(const Config& config) {
  return !config.string("auth.url").empty();
}

auth::RemoteKeySetOptions remote_key_options(const Config& config) {
  auth::RemoteKeySetOptions options;
  options.verifier.issuer = config.string("auth.issuer");
  options.verifier.audience = config.string("auth.audience");
  options.verifier.cache_capacity = 100000;
  options.refresh_interval =
      std::chrono::milliseconds(config.integer("auth.jwks_refresh_interval_ms"));
  return options;
}

CatalogEntry database_entry() {
  CatalogEntry database;
  database.spec = db::DatabaseComponent::make_spec();
  database.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<db::DatabaseComponent>(spec, database_settings(ctx.config), ctx.offload,
                                                   ctx.health, &ctx.metrics);
  };
  database.validate = [](const Config& config) {
    const auto settings = database_settings(config);
    db::validate_settings(settings);
    // In production, the database is a server that proves who it is, unless the operator said
    // otherwise in so many words.
    if (config.string("environment") == "production" && settings.url.rfind("sqlite:", 0) != 0 &&
        !config.boolean("database.allow_unverified_tls")) {
      if (auto server = db::unverified_remote_server(settings.url, settings.tls); !server.empty()) {
        throw core::ConfigurationError(std::vector<std::string>{
            "database.url names " + server + " with environment = \"production\" (from " +
            config.source("environment") +
            "): set database.ssl_mode = \"verify-full\" (and ssl_root_cert), or "
            "database.allow_unverified_tls = true to accept an unverified server"});
      }
    }
  };
  return database;
}

// `clickhouse`: workload events in ClickHouse (analytics.url) or the embedded store.
CatalogEntry analytics_entry() {
  CatalogEntry entry;
  entry.spec = analytics::AnalyticsComponent::make_spec();
  entry.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    auto database = std::dynamic_pointer_cast<db::DatabaseComponent>(ctx.built("database"));
    if (!database) throw std::logic_error("clickhouse is built after database");
    return std::make_shared<analytics::AnalyticsComponent>(
        spec, analytics_settings(ctx.config), database->database(), ctx.offload, ctx.health);
  };
  entry.validate = [](const Config& config) {
    if (auto bad = analytics::check_settings(analytics_settings(config))) {
      throw core::ConfigurationError({*bad});
    }
  };
  return entry;
}

// The workload store of the `clickhouse` component; null when it is not ours (test fixtures
// replace it with a scripted component).
std::shared_ptr<analytics::FallbackAnalyticsStore> analytics_store(const BuildContext& ctx) {
  auto component = std::dynamic_pointer_cast<analytics::AnalyticsComponent>(
      ctx.built(analytics::AnalyticsComponent::kName));
  return component ? component->store() : nullptr;
}

api::WorkloadRouteOptions workload_route_options(const Config& config) {
  api::WorkloadRouteOptions options;
  options.limits = ingest_limits(config);
  options.body_limit = static_cast<size_t>(config.integer("analytics.ingest_body_limit_bytes"));
  return options;
}

CatalogEntry metrics_entry() {
  CatalogEntry metrics;
  metrics.spec = telemetry::MetricsComponent::make_spec();
  metrics.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<telemetry::MetricsComponent>(spec, ctx.metrics, ctx.report);
  };
  return metrics;
}

void validate_auth(const Config& config) {
  std::vector<std::string> problems;
  if (config.boolean("auth.dev_login") && config.string("environment") == "production") {
    problems.push_back("auth.dev_login = true (from " + config.source("auth.dev_login") +
                       ") is refused with environment = \"production\" (from " +
                       config.source("environment") + ")");
  }
  // The secret itself is never printed, only where it came from and what is wrong with it.
  const auto secret = config.string("auth.shared_secret");
  if (!secret.empty() && secret.size() < auth::kMinSharedSecretBytes) {
    problems.push_back("auth.shared_secret (from " + config.source("auth.shared_secret") + ") is " +
                       std::to_string(secret.size()) + " bytes; at least " +
                       std::to_string(auth::kMinSharedSecretBytes) + " are required");
  }
  if (config.string("auth.algorithm") == "HS256" && secret.empty()) {
    problems.push_back("auth.algorithm = \"HS256\" (from " + config.source("auth.algorithm") +
                       ") needs auth.shared_secret (NETRA_AUTH_SHARED_SECRET)");
  }
  const auto url = config.string("auth.url");
  if (!url.empty()) {
    // The key set decides whose tokens are accepted: fetched over a network, it must come over
    // TLS, or whoever can swap it forges any user.
    const auto parsed = net::parse_http_url(url);
    if (!parsed) {
      problems.push_back("auth.url = \"" + url + "\" (from " + config.source("auth.url") +
                         "): " + parsed.error() +
                         "; give the auth service's https:// URL, e.g. https://auth.internal");
    } else if (!parsed->tls && !is_loopback_host(parsed->host)) {
      problems.push_back("auth.url = \"" + url + "\" (from " + config.source("auth.url") +
                         ") is http:// to a host that is not loopback: the key set that "
                         "decides whose tokens count must come over https://");
    }
  }
  const auto ca = config.string("auth.ca_file");
  if (!ca.empty() && !std::filesystem::exists(ca)) {
    problems.push_back("auth.ca_file = \"" + ca + "\" (from " + config.source("auth.ca_file") +
                       "): no such file");
  }
  if (!problems.empty()) throw core::ConfigurationError(problems);
}

// `allow_remote`: the backend follows auth.url; the auth service itself always embeds.
CatalogEntry auth_entry(bool allow_remote) {
  CatalogEntry entry;
  entry.spec = auth::AuthComponent::make_spec();
  entry.build = [allow_remote](
                    const BuildContext& ctx,
                    const core::ComponentSpec& spec) -> std::shared_ptr<core::Component> {
    if (allow_remote && auth_is_remote(ctx.config)) {
      std::string base = ctx.config.string("auth.url");
      while (!base.empty() && base.back() == '/') base.pop_back();
      return std::make_shared<auth::RemoteAuthComponent>(spec, base + "/.well-known/jwks.json",
                                                         remote_key_options(ctx.config), ctx.auth,
                                                         ctx.config.string("auth.ca_file"));
    }
    auto database = std::dynamic_pointer_cast<db::DatabaseComponent>(ctx.built("database"));
    if (!database) throw std::logic_error("auth_service is built after database");
    return std::make_shared<auth::AuthComponent>(spec, auth_config(ctx.config), ctx.auth, *database,
                                                 ctx.offload);
  };
  entry.validate = validate_auth;
  if (allow_remote) {
    entry.adjust_spec = [](core::ComponentSpec& spec, const Config& config) {
      // Verifying with fetched keys needs no database: nothing to wait for at start-up.
      if (auth_is_remote(config)) spec.dependencies.clear();
    };
  }
  return entry;
}

CatalogEntry api_entry() {
  CatalogEntry api;
  api.spec = api::ApiComponent::make_spec();
  api.build = [](const BuildContext& ctx, const core::ComponentSpec& spec) {
    return std::make_shared<api::ApiComponent>(
        spec, ctx.server, std::chrono::milliseconds(ctx.config.integer("server.drain_timeout_ms")));
  };
  api.validate = [](const Config& config) {
    (void)net::TrustedProxies::parse(config.list("server.trusted_proxies"));
    // The token itself is never printed, only where it came from.
    const auto admin = config.string("server.admin_token");
    if (!admin.empty() && admin.size() < 32) {
      throw core::ConfigurationError(std::vector<std::string>{
          "server.admin_token (from " + config.source("server.admin_token") + ") is " +
          std::to_string(admin.size()) + " bytes; at least 32 are required"});
    }
  };
  api.adjust_settings = [](core::ComponentSettings& settings, const Config& config) {
    // Stopping the API drains the server; its stop must outlast the drain.
    const std::chrono::milliseconds drain(config.integer("server.drain_timeout_ms"));
    settings.stop_timeout = std::max(settings.stop_timeout, drain + std::chrono::seconds(1));
  };
  return api;
}

api::AuthRouteOptions auth_route_options(const Config& config) {
  auto limit = [&](const char* key) { return static_cast<size_t>(config.integer(key)); };
  return {.dev_login = config.boolean("auth.dev_login"),
          .login_limit_per_minute = limit("auth.login_limit_per_minute"),
          .register_limit_per_minute = limit("auth.register_limit_per_minute"),
          .refresh_limit_per_minute = limit("auth.refresh_limit_per_minute")};
}

net::WebSocketSettings websocket_settings(const Config& config) {
  net::WebSocketSettings s;
  auto size = [&](const char* key) { return static_cast<size_t>(config.integer(key)); };
  s.max_connections = size("websocket.max_connections");
  s.max_connections_per_user = size("websocket.max_connections_per_user");
  s.ping_interval = std::chrono::milliseconds(config.integer("websocket.ping_interval_ms"));
  s.max_message_bytes = size("websocket.max_message_bytes");
  s.max_queued_bytes = size("websocket.max_queued_bytes");
  s.messages_per_second = static_cast<double>(config.integer("websocket.messages_per_second"));
  s.message_burst = size("websocket.message_burst");
  return s;
}

// The /ws channel: the socket server and what its messages mean.
struct ChatChannel {
  std::unique_ptr<api::ChatSocket> handler;
  std::shared_ptr<net::WebSocketServer> server;
};

// What the backend's routes and components share, made once per process.
struct BackendParts {
  // Issued by POST /api/websocket/ticket, redeemed by the WebSocket handshake.
  auth::TicketStore tickets;
  std::shared_ptr<chat::ChatStore> chat;
  // Where agent runs report: each event a stored step, then sent to the user's sockets.
  std::unique_ptr<chat::RunEventSink> run_events;
  // How the socket and the REST API start and stop runs; the supervisor attaches to it.
  std::shared_ptr<agents::AgentRuns> agent_runs;
  // The agents' workload data when the clickhouse component is disabled: its embedded table.
  std::unique_ptr<analytics::EmbeddedAnalyticsStore> embedded_analytics;
  ChatChannel channel;

  // The chat store over the database component's Database; null when `database` is not ours
  // (test fixtures replace it with a scripted component).
  std::shared_ptr<chat::ChatStore> chat_store(const BuildContext& ctx) {
    if (!chat) {
      auto database = std::dynamic_pointer_cast<db::DatabaseComponent>(ctx.built("database"));
      if (database) chat = std::make_shared<chat::ChatStore>(database->database());
    }
    return chat;
  }

  std::shared_ptr<agents::AgentRuns> runs(const BuildContext& ctx) {
    if (!agent_runs) {
      auto store = chat_store(ctx);
      if (!store) return nullptr;
      // Events reach sockets only when /ws runs; stored steps serve GET /api/runs/{id} anyway.
      // The channel is filled while the catalog is built, before any run can start.
      run_events =
          std::make_unique<chat::RunEventSink>(store->runs, [this](const chat::AgentEvent& event) {
            if (channel.server)
              channel.server->send_to_user(event.user_id, api::agent_event_json(event).dump());
          });
      agent_runs = std::make_shared<agents::AgentRuns>(*store, *run_events);
    }
    return agent_runs;
  }
};

// /metrics: netra_websocket_connections, netra_websocket_events_total{event},
// netra_websocket_messages_total{direction}.
void publish_websocket_metrics(core::HealthRegistry& health,
                               std::shared_ptr<net::WebSocketServer> server) {
  using Series = core::HealthRegistry::Series;
  auto n = [](uint64_t v) { return static_cast<double>(v); };
  health.add_family(
      {"netra_websocket_connections", "Open WebSocket connections", "", false, [server, n] {
         return std::vector<Series>{{"", n(server->connections())}};
       }});
  health.add_family(
      {"netra_websocket_events_total",
       "WebSocket sockets accepted, refused at the handshake, turned away by a limit, closed for "
       "a reason of the server's, and messages refused by the rate limit",
       "event", true, [server, n] {
         const auto s = server->stats();
         return std::vector<Series>{{"accepted", n(s.accepted)},
                                    {"refused", n(s.refused)},
                                    {"over_limit", n(s.over_limit)},
                                    {"closed_slow_reader", n(s.closed_slow)},
                                    {"closed_too_big", n(s.closed_too_big)},
                                    {"closed_no_pong", n(s.closed_no_pong)},
                                    {"closed_token_expired", n(s.closed_expired)},
                                    {"closed_session_revoked", n(s.closed_revoked)},
                                    {"rate_limited", n(s.rate_limited)}};
       }});
  health.add_family(
      {"netra_websocket_messages_total", "WebSocket messages received and sent", "direction", true,
       [server, n] {
         const auto s = server->stats();
         return std::vector<Series>{{"in", n(s.messages_in)}, {"out", n(s.messages_out)}};
       }});
}

// /metrics: netra_agent_runs{state} (running, queued) and netra_agent_runs_total{outcome}, from
// the supervisor attached now (none while agent_supervisor is not running: zeros).
void publish_agent_metrics(core::HealthRegistry& health, std::shared_ptr<agents::AgentRuns> runs) {
  using Series = core::HealthRegistry::Series;
  health.add_family(
      {"netra_agent_runs", "Agent runs executing and waiting for a slot", "state", false, [runs] {
         const auto s = runs->supervisor();
         const double running = s ? static_cast<double>(s->running()) : 0;
         const double queued = s ? static_cast<double>(s->queued()) : 0;
         return std::vector<Series>{{"running", running}, {"queued", queued}};
       }});
  health.add_family(
      {"netra_agent_runs_total",
       "Agent runs ended, by outcome, and refused: busy (slots and queue full), run_active (the "
       "thread had one), too_many_runs (the user had agents.max_runs_per_user), unavailable "
       "(shutting down)",
       "outcome", true, [runs] {
         const auto s = runs->supervisor();
         const auto t = s ? s->tally() : agents::Supervisor::Tally{};
         auto n = [](uint64_t v) { return static_cast<double>(v); };
         return std::vector<Series>{{"completed", n(t.completed)},
                                    {"failed", n(t.failed)},
                                    {"cancelled", n(t.cancelled)},
                                    {"timed_out", n(t.timed_out)},
                                    {"busy", n(t.refused_busy)},
                                    {"run_active", n(t.refused_run_active)},
                                    {"too_many_runs", n(t.refused_too_many_runs)},
                                    {"unavailable", n(t.refused_stopping)}};
       }});
}

CatalogEntry websocket_entry(std::shared_ptr<BackendParts> parts) {
  CatalogEntry entry;
  entry.spec = net::WebSocketComponent::make_spec();
  entry.build = [parts](const BuildContext& ctx, const core::ComponentSpec& spec) {
    auto chat = parts->chat_store(ctx);
    if (!chat) throw std::logic_error("websocket needs the chat store over the database component");
    auto& channel = parts->channel;
    const auto settings = websocket_settings(ctx.config);
    channel.handler = std::make_unique<api::ChatSocket>(ctx.auth, parts->tickets, chat,
                                                        *parts->runs(ctx), settings.ping_interval);
    channel.server = std::make_shared<net::WebSocketServer>(settings, *channel.handler);
    // A login revoked here (logout, a stolen refresh token) closes the sockets it opened at once.
    ctx.auth.revoked_sessions().listen(
        [server = std::weak_ptr<net::WebSocketServer>(channel.server)](const std::string& sid) {
          if (auto s = server.lock()) s->close_session(sid);
        });
    ctx.server.attach_websocket("/ws", channel.server);
    publish_websocket_metrics(ctx.health, channel.server);
    return std::make_shared<net::WebSocketComponent>(spec, channel.server);
  };
  return entry;
}

// `agent_supervisor`: agent runs over the chat stores and the workload store of `clickhouse`.
CatalogEntry agent_supervisor_entry(std::shared_ptr<BackendParts> parts) {
  CatalogEntry entry;
  entry.spec = agents::AgentSupervisorComponent::make_spec();
  entry.build = [parts](const BuildContext& ctx, const core::ComponentSpec& spec) {
    auto chat = parts->chat_store(ctx);
    auto runs = parts->runs(ctx);
    if (!chat || !runs) {
      throw std::logic_error("agent_supervisor needs the chat store over the database component");
    }
    analytics::AnalyticsStore* workloads = analytics_store(ctx).get();
    if (workloads == nullptr) {
      auto database = std::dynamic_pointer_cast<db::DatabaseComponent>(ctx.built("database"));
      parts->embedded_analytics =
          std::make_unique<analytics::EmbeddedAnalyticsStore>(database->database());
      workloads = parts->embedded_analytics.get();
    }
    agents::RunDependencies deps{*workloads, chat->runs, chat->messages, *parts->run_events};
    publish_agent_metrics(ctx.health, runs);
    return std::make_shared<agents::AgentSupervisorComponent>(
        spec, supervisor_options(ctx.config), *runs, deps, llm_settings(ctx.config));
  };
  // A bad agents.llm.* (an unusable URL, no model) is a configuration error, before anything
  // starts.
  entry.validate = [](const Config& config) { llm_settings(config); };
  return entry;
}

// GET /ws without the upgrade: what it is and how to open it. The upgrade itself is taken by the
// server before routing, once this route's component gate (websocket ready) lets it through.
void add_websocket_route(net::Router& router) {
  router.add("GET", "/ws",
             [](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
               auto response = net::json_error(
                   426, "upgrade_required",
                   "/ws is a WebSocket: open it with an Upgrade request (Authorization: Bearer, "
                   "subprotocol jwt.<token>, or ?ticket=)");
               response.with_header("Upgrade", "websocket");
               co_return response;
             },
             {net::WebSocketComponent::kName});
}

// Every route must be in /openapi.json; a missing one is said at start-up (and fails a test).
void check_documented(const net::Router& router) {
  for (const auto& route : api::undocumented_routes(router)) {
    telemetry::logger("api")->warn("route {} is missing from /openapi.json", route);
  }
}

}  // namespace

ServiceDefinition production_service() {
  ServiceDefinition service;
  service.catalog.push_back(database_entry());
  service.catalog.push_back(metrics_entry());
  service.catalog.push_back(auth_entry(/*allow_remote=*/true));
  service.catalog.push_back(api_entry());
  service.catalog.push_back(analytics_entry());
  auto parts = std::make_shared<BackendParts>();
  service.catalog.push_back(agent_supervisor_entry(parts));
  service.catalog.push_back(websocket_entry(parts));
  service.add_routes = [parts](net::Router& router, const BuildContext& ctx) {
    const bool remote_auth = auth_is_remote(ctx.config);
    // With a separate auth service, /auth/* lives there; this process only verifies.
    if (!remote_auth) api::add_auth_routes(router, ctx.auth, auth_route_options(ctx.config));
    api::add_ticket_routes(router, parts->tickets, ctx.config.string("websocket.public_url"));
    if (auto chat = parts->chat_store(ctx)) api::add_chat_routes(router, chat);
    if (auto runs = parts->runs(ctx)) api::add_run_routes(router, runs);
    const bool agents = ctx.built(agents::AgentSupervisorComponent::kName) != nullptr;
    const bool websocket = parts->channel.server != nullptr;
    if (websocket) add_websocket_route(router);
    auto workloads = analytics_store(ctx);
    if (workloads) {
      api::add_workload_routes(router, workloads, ctx.offload, ctx.health,
                               workload_route_options(ctx.config));
    }
    api::add_public_config_route(router, ctx.config.string("environment"),
                                 {{"auth", remote_auth ? "remote" : "embedded"},
                                  {"dev_login", ctx.config.boolean("auth.dev_login")},
                                  {"chat", true},
                                  {"websocket", websocket},
                                  {"workloads", workloads != nullptr},
                                  {"agents", agents}});
    api::add_openapi_route(router);
    check_documented(router);
  };
  return service;
}

ServiceDefinition auth_service() {
  ServiceDefinition service;
  service.catalog.push_back(database_entry());
  service.catalog.push_back(metrics_entry());
  service.catalog.push_back(auth_entry(/*allow_remote=*/false));
  service.catalog.push_back(api_entry());
  service.add_routes = [](net::Router& router, const BuildContext& ctx) {
    api::add_auth_routes(router, ctx.auth, auth_route_options(ctx.config));
    api::add_openapi_route(router);
    check_documented(router);
  };
  service.port_key = "auth.port";
  return service;
}

}  // namespace netra::app
