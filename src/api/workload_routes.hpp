// The workload analytics API: POST /api/workloads/events (a batch of the caller's LLM calls,
// validated field by field, admitted by the ingest limits, answered once stored) and
// GET /api/workloads/summary (per model, workload or provider) — each answer names the backend.
#pragma once

#include <cstddef>
#include <memory>

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

// `offload` parses large batches off the event loop; it and `store` outlive the router. Publishes
// netra_workload_events_total{outcome} in `health`: events stored per backend, and refused.
void add_workload_routes(net::Router& router,
                         std::shared_ptr<analytics::FallbackAnalyticsStore> store,
                         core::OffloadPool& offload, core::HealthRegistry& health,
                         const WorkloadRouteOptions& options);

}  // namespace netra::api
