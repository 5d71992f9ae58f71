// The chat REST API: a user's threads, their messages and the agent runs they started — every
// route behind the Bearer gate, every query scoped to the caller (another user's thread is 404,
// like a missing one), every body and id validated before any query.
#pragma once

#include <memory>

#include "net/router.hpp"

namespace netra::chat {
struct ChatStore;
}

namespace netra::app {

void add_chat_routes(net::Router& router, std::shared_ptr<chat::ChatStore> store);

}  // namespace netra::app
