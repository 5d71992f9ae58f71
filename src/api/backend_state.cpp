#include "api/backend_state.hpp"

#include "db/database_component.hpp"

namespace netra::api {

void BackendState::share_through(const std::shared_ptr<redis::RedisClient>& redis) {
  tickets.share_through(redis);
  fanout->share_through(redis);
  socket_places->share_through(redis);
  run_places->share_through(redis);
  summaries->share_through(redis);
  job_wakeups->share_through(redis);
}

std::shared_ptr<chat::ChatStore> BackendState::chat_store(db::DatabaseComponent& database) {
  if (!chat) chat = std::make_shared<chat::ChatStore>(database.database());
  return chat;
}

std::shared_ptr<analytics::CatalogOverlay> BackendState::catalog_overlay(
    db::DatabaseComponent& database) {
  // The base is what the command line installed: compiled in, or agents.catalog_file.
  if (!catalog) {
    catalog = std::make_shared<analytics::CatalogOverlay>(database.database(),
                                                          analytics::installed_catalog());
  }
  return catalog;
}

std::shared_ptr<agents::AgentRuns> BackendState::runs(db::DatabaseComponent& database) {
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

}  // namespace netra::api
