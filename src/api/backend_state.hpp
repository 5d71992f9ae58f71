// What the backend's routes and components share, made once per process: the stores they both
// use, where run and thread events go (this instance's sockets and streams, and with Redis every
// other instance's), and the state the instances share through Redis.
#pragma once

#include <memory>
#include <string>

#include "agents/agent_runs.hpp"
#include "analytics/catalog_overlay.hpp"
#include "analytics/embedded_store.hpp"
#include "api/chat_socket.hpp"
#include "api/run_event_fanout.hpp"
#include "api/thread_events.hpp"
#include "api/workload_routes.hpp"
#include "auth/ticket_store.hpp"
#include "chat/chat_store.hpp"
#include "chat/run_event_sink.hpp"
#include "core/id.hpp"
#include "net/websocket_component.hpp"
#include "redis/cluster_slots.hpp"
#include "redis/cluster_wakeups.hpp"
#include "redis/shared_cache.hpp"

namespace netra::db {
class DatabaseComponent;
}

namespace netra::api {

struct BackendState {
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
  std::unique_ptr<ChatSocket> socket_handler;
  std::shared_ptr<net::WebSocketServer> socket_server;
  // This process among the instances (run events it published, leases it holds).
  const std::string instance_id = core::make_id("ins");
  // Run events to this instance's sockets and, with Redis, to every other instance's.
  std::shared_ptr<RunEventFanout> fanout = std::make_shared<RunEventFanout>(instance_id);
  // A thread created, renamed or deleted (over REST or a socket), to the user's sockets the same
  // way.
  std::shared_ptr<const ThreadEvents> thread_events =
      std::make_shared<ThreadEvents>([fanout = fanout](const std::string& user, std::string text) {
        fanout->send(user, std::move(text));
      });
  // With Redis, the per-user limits count the whole cluster: a user's sockets, a user's runs.
  std::shared_ptr<redis::ClusterSlots> socket_places = redis::ClusterSlots::create("sockets");
  std::shared_ptr<redis::ClusterSlots> run_places = redis::ClusterSlots::create("runs");
  // Each user's workload summaries, kept for a while: the ingest route and the synthetic-data
  // jobs drop them when they write.
  std::shared_ptr<redis::SharedCache> summaries = make_summary_cache();
  // With Redis, a job queued on one instance wakes the idle workers of every other.
  std::shared_ptr<redis::ClusterWakeups> job_wakeups =
      redis::ClusterWakeups::create("netra:jobs", instance_id);
  // The model catalog with the administrators' entries over it, for the runs and the routes.
  std::shared_ptr<analytics::CatalogOverlay> catalog;

  // Everything above that the instances share, through `redis`.
  void share_through(const std::shared_ptr<redis::RedisClient>& redis);

  // Each made once, on first use, over the database component's database.
  std::shared_ptr<chat::ChatStore> chat_store(db::DatabaseComponent& database);
  std::shared_ptr<analytics::CatalogOverlay> catalog_overlay(db::DatabaseComponent& database);
  std::shared_ptr<agents::AgentRuns> runs(db::DatabaseComponent& database);
};

}  // namespace netra::api
