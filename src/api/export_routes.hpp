// GET /api/threads/{id}/export?format=markdown|json: a whole conversation — the thread, every
// message in order, each report in full — as a download (Content-Disposition: attachment). The
// owner's only: another user's thread is 404. At most kMaxExportedMessages messages, read a page
// at a time; a longer thread says it was cut (JSON `truncated`, a last Markdown line).
#pragma once

#include <cstdint>
#include <memory>

#include "net/router.hpp"

namespace netra::chat {
struct ChatStore;
}

namespace netra::api {

inline constexpr int64_t kMaxExportedMessages = 5000;

void add_export_route(net::Router& router, std::shared_ptr<chat::ChatStore> store);

}  // namespace netra::api
