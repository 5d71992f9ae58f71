// Server-sent events for clients without WebSocket: GET /api/runs/{run_id}/events (one run's
// events, `id:` its seq; Last-Event-ID resumes exactly after it — the stored steps first, then
// live, no gap and no duplicate; the stream ends after the run's last event) and GET /api/events
// (every live event of the caller: runs, thread changes, job progress). Both authenticated, at
// most `streams_per_user` open per user on an instance, a comment every `heartbeat`, ended after
// `idle_timeout` without an event, at the access token's expiry and at shutdown; across instances
// through RunEventFanout's Redis channel.
#pragma once

#include <chrono>
#include <memory>

#include "net/router.hpp"

namespace netra::chat {
struct ChatStore;
}

namespace netra::api {

class EventStreams;

struct EventStreamLimits {
  size_t streams_per_user = 10;
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::milliseconds idle_timeout{1'800'000};
};

void add_event_stream_routes(net::Router& router, std::shared_ptr<chat::ChatStore> store,
                             std::shared_ptr<EventStreams> streams, EventStreamLimits limits);

}  // namespace netra::api
