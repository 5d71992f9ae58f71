// The service's own recurring work on the database, as background jobs (each run once per period
// across the instances): what each job kind does and how often it is queued.
//   refresh_token_cleanup, hourly: deletes refresh tokens that expired more than a week ago.
//   run_step_cleanup, daily: deletes the steps of agent runs that finished more than
//     tasks.run_step_retention_days ago (none with 0).
//   finished_job_cleanup, hourly: deletes the jobs that ended more than
//     tasks.finished_job_retention_days ago (none with 0), the schedules' own among them.
// Each deletes 1,000 rows at a time, with a checkpoint between batches.
// The analytics work (ClickHouse retention, the outage replay) is in analytics_jobs.hpp.
#pragma once

namespace netra::db {
class Database;
}
namespace netra::tasks {
class BackgroundTasksComponent;
struct TaskSettings;
}  // namespace netra::tasks

namespace netra::tasks {

// `db` outlives the component.
void add_maintenance_jobs(tasks::BackgroundTasksComponent& tasks, db::Database& db,
                          const tasks::TaskSettings& settings);

}  // namespace netra::tasks
