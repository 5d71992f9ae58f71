#include "api/service_routes.hpp"

#include "api/auth_routes.hpp"
#include "api/catalog_routes.hpp"
#include "api/chat_routes.hpp"
#include "api/event_stream_routes.hpp"
#include "api/export_routes.hpp"
#include "api/job_routes.hpp"
#include "api/key_routes.hpp"
#include "api/mcp/mcp_routes.hpp"
#include "api/openapi.hpp"
#include "api/public_config_route.hpp"
#include "api/status_routes.hpp"
#include "api/ticket_routes.hpp"
#include "net/json_error.hpp"
#include "net/websocket_component.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;

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
             {.needs_component = net::WebSocketComponent::kName});
}

// Every route must be in /openapi.json. Debug builds, which the tests run, say a missing one at
// start-up (and the process tests fail on it); a release start-up skips the comparison, which
// builds the whole document (about 2 ms of a 20 ms restart, and memory kept for nothing).
void add_documentation(net::Router& router) {
  add_openapi_route(router);
#ifndef NDEBUG
  for (const auto& route : undocumented_routes(router)) {
    telemetry::logger("api")->warn("route {} is missing from /openapi.json", route);
  }
#endif
}

}  // namespace

void add_backend_routes(net::Router& router, const BackendParts& parts) {
  // With a separate auth service, /auth/* lives there; this process only verifies.
  if (!parts.remote_auth) {
    add_auth_routes(router, parts.auth, parts.settings.auth_routes, parts.redis);
  }
  add_ticket_routes(router, parts.tickets, parts.settings.websocket_public_url);
  if (parts.api_keys) add_key_routes(router, parts.api_keys, parts.settings.api_keys);
  if (parts.chat) {
    add_chat_routes(router, parts.chat, parts.thread_events);
    add_export_route(router, parts.chat);
  }
  if (parts.chat && parts.event_streams) {
    add_event_stream_routes(router, parts.chat, parts.event_streams, parts.settings.event_streams);
  }
  if (parts.runs) add_run_routes(router, parts.runs);
  if (parts.websocket) add_websocket_route(router);
  SummaryReader summary = nullptr;
  if (parts.workloads) {
    summary = add_workload_routes(router, parts.workloads, parts.offload, parts.health,
                                  {.limits = parts.ingest_limits,
                                   .body_limit = parts.settings.ingest_body_limit,
                                   .redis = parts.redis,
                                   .summaries = parts.summaries});
  }
  if (parts.tasks) add_job_routes(router, *parts.tasks);
  if (parts.catalog) {
    add_catalog_routes(router, parts.catalog, parts.settings.status.admin_emails, parts.auth);
  }
  // The MCP server: its tools are the routes above, called in process (so added after them).
  const bool mcp = parts.chat && parts.event_streams;
  if (mcp) {
    mcp::add_mcp_routes(router,
                        std::make_shared<const mcp::McpServices>(
                            mcp::McpServices{router, parts.component_unavailable, parts.chat,
                                             parts.event_streams, std::move(summary)}),
                        parts.auth.revoked_sessions());
  }
  if (parts.status.report) {
    add_status_routes(router, parts.status, parts.settings.status, parts.auth);
  }
  add_public_config_route(
      router, parts.environment,
      {{"auth", parts.remote_auth ? "remote" : "embedded"},
       {"dev_login", parts.settings.auth_routes.dev_login},
       {"oidc_providers",
        parts.remote_auth ? std::vector<std::string>{} : parts.settings.auth_routes.oidc_providers},
       {"chat", true},
       {"api_keys", parts.api_keys != nullptr},
       {"websocket", parts.websocket},
       {"workloads", parts.workloads != nullptr},
       {"agents", parts.agents},
       {"jobs", parts.tasks != nullptr},
       {"mcp", mcp}});
  add_documentation(router);
}

void add_auth_service_routes(net::Router& router, const ApiSettings& settings,
                             auth::AuthState& auth, std::weak_ptr<redis::RedisClient> redis) {
  add_auth_routes(router, auth, settings.auth_routes, std::move(redis));
  add_documentation(router);
}

}  // namespace netra::api
