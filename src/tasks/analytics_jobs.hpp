// The recurring work of the `clickhouse` component as background jobs, with ClickHouse
// (analytics.url) only — each queued once per period across the instances, run by any:
//   clickhouse_retention, every analytics retention interval (an hour): drops the monthly
//     partitions older than analytics.ttl_days; retried later while ClickHouse is not serving.
//   outage_replay, every minute and whenever the component finds a replay due: moves the events
//     the embedded store buffered during an outage into ClickHouse — one drain at a time across
//     the cluster (a job that finds another one running gives way).
#pragma once

#include <memory>

namespace netra::analytics {
class AnalyticsComponent;
}
namespace netra::tasks {
class BackgroundTasksComponent;
}

namespace netra::tasks {

// Registers both kinds and schedules with `tasks`, and makes `analytics` hand its replays to an
// outage_replay job (drained in place while `tasks` is not running). `tasks` outlives the
// analytics component's start and stop; both are built before either starts.
void add_analytics_jobs(tasks::BackgroundTasksComponent& tasks,
                        const std::shared_ptr<analytics::AnalyticsComponent>& analytics);

}  // namespace netra::tasks
