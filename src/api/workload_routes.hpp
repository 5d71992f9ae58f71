// The workload analytics API: POST /api/workloads/events (a batch of the caller's LLM calls,
// validated field by field, admitted by the ingest limits, answered once stored) and
// GET /api/workloads/summary (per model, workload or provider) — each answer names the backend.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "analytics/ingest_gate.hpp"
#include "net/router.hpp"

namespace netra::core {
class HealthRegistry;
class OffloadPool;
}  // namespace netra::core
namespace netra::analytics {
class FallbackAnalyticsStore;
}
namespace netra::redis {
class RedisClient;
class SharedCache;
}  // namespace netra::redis

namespace netra::api {

struct WorkloadRouteOptions {
  analytics::IngestLimits limits;
  size_t body_limit = 16 * 1024 * 1024;  // of POST /api/workloads/events
  // With Redis: each user's ingest rate is one bucket for the whole cluster.
  std::weak_ptr<redis::RedisClient> redis;
  // Each user's summaries, kept for a while; a cache of the routes' own when none is given.
  std::shared_ptr<redis::SharedCache> summaries = nullptr;
};

// The summaries' cache (what `summaries` expects): answers kept for 30 s per user and window.
std::shared_ptr<redis::SharedCache> make_summary_cache();

// The summary route's path: the MCP tool that reads through its reader finds the route's gate by
// it.
inline constexpr std::string_view kSummaryPath = "/api/workloads/summary";

// The window and grouping of a summary as its caller wrote them: `from` and `to` in Unix seconds
// or ISO-8601, `group_by` model, workload or provider; empty for the default (the 30 days up to
// now, by model).
struct SummaryAsk {
  std::string from, to, group_by;
};

// What GET /api/workloads/summary answers `caller` (authenticated, and let through to the route)
// for `ask`: the same checks, the same cache and the same answer, for a caller in process (MCP's
// get_spend_summary) that has its arguments already and no query to write and read again.
using SummaryReader = std::function<boost::asio::awaitable<net::HttpResponse>(
    const net::HttpRequest& caller, SummaryAsk ask)>;

// `offload` parses large batches off the event loop; it and `store` outlive the router. Publishes
// netra_workload_events_total{outcome} in `health`: events stored per backend, and refused.
// Returns the summary route's reader, which holds what the routes share.
SummaryReader add_workload_routes(net::Router& router,
                                  std::shared_ptr<analytics::FallbackAnalyticsStore> store,
                                  core::OffloadPool& offload, core::HealthRegistry& health,
                                  const WorkloadRouteOptions& options);

}  // namespace netra::api
