// The routes each service serves, in one place: what the backend (`netra serve`) and the auth
// service alone (`netra auth`) answer beyond health and metrics, given the parts the process
// built. A new route is added in its *_routes file, described in openapi.cpp, and listed here.
#pragma once

#include <memory>
#include <string>

#include "api/api_settings.hpp"
#include "api/event_streams.hpp"
#include "api/status_routes.hpp"
#include "api/thread_events.hpp"
#include "api/workload_routes.hpp"
#include "net/route_access.hpp"
#include "net/router.hpp"

namespace netra::agents {
class AgentRuns;
}
namespace netra::analytics {
class CatalogOverlay;
class FallbackAnalyticsStore;
}  // namespace netra::analytics
namespace netra::auth {
class ApiKeyVerifier;
class AuthState;
class TicketStore;
}  // namespace netra::auth
namespace netra::chat {
struct ChatStore;
}
namespace netra::core {
class HealthRegistry;
class OffloadPool;
}  // namespace netra::core
namespace netra::redis {
class RedisClient;
class SharedCache;
}  // namespace netra::redis
namespace netra::tasks {
class BackgroundTasksComponent;
}

namespace netra::api {

// What the backend's routes work on; a null part leaves its routes out (a test's stand-in
// replaced the component that owns it).
struct BackendParts {
  const ApiSettings& settings;
  std::string environment;  // for the public config route
  auth::AuthState& auth;
  bool remote_auth = false;  // /auth/* is served by the separate auth service
  auth::TicketStore& tickets;
  // The users' API keys (/api/keys), where the database is in this process.
  std::shared_ptr<auth::ApiKeyVerifier> api_keys;
  std::shared_ptr<chat::ChatStore> chat;
  // Thread changes to the user's sockets (with chat).
  std::shared_ptr<const ThreadEvents> thread_events = std::make_shared<ThreadEvents>();
  // Server-sent-event subscribers (/api/events, /api/runs/{id}/events, with chat).
  std::shared_ptr<EventStreams> event_streams;
  std::shared_ptr<agents::AgentRuns> runs;
  bool agents = false;     // agent_supervisor is in this process
  bool websocket = false;  // /ws is served
  std::shared_ptr<analytics::FallbackAnalyticsStore> workloads;
  analytics::IngestLimits ingest_limits;
  core::OffloadPool& offload;
  core::HealthRegistry& health;
  // Shared state across the instances (rate limits), when the service has Redis.
  std::weak_ptr<redis::RedisClient> redis{};
  // The users' cached workload summaries, which the synthetic-data jobs drop too.
  std::shared_ptr<redis::SharedCache> summaries{};
  // The jobs API and synthetic data (background_tasks is in this process).
  tasks::BackgroundTasksComponent* tasks = nullptr;
  // The components' states as the routes' gates see them: the MCP server's tools call routes in
  // process, through the same gates (HttpServer::component_unavailable).
  net::ComponentAvailability component_unavailable = nullptr;
  // The model catalog's routes; left out without it (no database, or no agents).
  std::shared_ptr<analytics::CatalogOverlay> catalog{};
  // What /status shows; its feed is left out without a report.
  StatusSource status{};
};

void add_backend_routes(net::Router& router, const BackendParts& parts);

// /auth/*, /.well-known/jwks.json and /openapi.json; limits across the instances with `redis`.
void add_auth_service_routes(net::Router& router, const ApiSettings& settings,
                             auth::AuthState& auth, std::weak_ptr<redis::RedisClient> redis = {});

}  // namespace netra::api
