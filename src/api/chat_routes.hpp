// The chat REST API: a user's threads, their messages and the agent runs they started — every
// route behind the Bearer gate, every query scoped to the caller (another user's thread is 404,
// like a missing one), every body and id validated before any query.
#pragma once

#include <memory>

#include "api/thread_events.hpp"
#include "net/router.hpp"

namespace netra::chat {
struct ChatStore;
}
namespace netra::agents {
class AgentRuns;
}

namespace netra::api {

// Creating, renaming and deleting a thread is told to the user's sockets through `events`.
void add_chat_routes(net::Router& router, std::shared_ptr<chat::ChatStore> store,
                     std::shared_ptr<const ThreadEvents> events);

// Agent runs over REST: POST /api/threads/{id}/runs {user_request} starts one (as start_agent
// does over the socket), POST /api/runs/{run_id}/cancel stops one (as stop_agent).
void add_run_routes(net::Router& router, std::shared_ptr<agents::AgentRuns> runs);

}  // namespace netra::api
