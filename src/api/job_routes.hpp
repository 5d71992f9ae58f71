// The jobs API and the synthetic-data routes on it: GET /api/generation/templates (the workload
// profiles and named templates a user can generate), POST /api/generation/synthetic (202 with
// the queued job), GET /api/jobs?kind=&state=, GET /api/jobs/{id}, POST /api/jobs/{id}/cancel.
// A user sees only their own jobs: another user's is 404, like a missing one.
#pragma once

#include <nlohmann/json.hpp>

#include "net/router.hpp"
#include "tasks/job.hpp"

namespace netra::tasks {
class BackgroundTasksComponent;
}

namespace netra::api {

// A job as its owner sees it (times in Unix seconds); the lease is the workers' business.
nlohmann::json job_json(const tasks::Job& job);

// `tasks` outlives the router.
void add_job_routes(net::Router& router, tasks::BackgroundTasksComponent& tasks);

}  // namespace netra::api
