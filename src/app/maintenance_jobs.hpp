// The service's own recurring work, as background jobs (each run once per period across the
// instances): what each job kind does and how often it is queued.
//   refresh_token_cleanup, hourly: deletes refresh tokens that expired more than a week ago.
#pragma once

namespace netra::db {
class Database;
}
namespace netra::tasks {
class BackgroundTasksComponent;
}

namespace netra::app {

// `db` outlives the component.
void add_maintenance_jobs(tasks::BackgroundTasksComponent& tasks, db::Database& db);

}  // namespace netra::app
