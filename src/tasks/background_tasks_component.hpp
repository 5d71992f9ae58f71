// BackgroundTasksComponent (`background_tasks`, medium; requires database): the durable jobs and
// schedules of this instance — the queue (JobStore), the workers that run its jobs (JobWorkers)
// and the recurring work (Scheduler). Starting starts the workers and the scheduler; stopping
// stops the scheduler and puts the jobs running here back in the queue for another instance.
// Publishes netra_jobs{state}, netra_jobs_total{outcome} and
// netra_jobs_oldest_waiting_seconds.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "tasks/job_store.hpp"
#include "tasks/job_workers.hpp"
#include "tasks/schedule_store.hpp"
#include "tasks/scheduler.hpp"
#include "tasks/tasks_settings.hpp"

namespace netra::tasks {

class BackgroundTasksComponent final : public core::Component {
 public:
  static constexpr const char* kName = "background_tasks";
  static core::ComponentSpec make_spec();

  // `db` outlives the component. `instance_id` names this instance's workers in the leases.
  BackgroundTasksComponent(core::ComponentSpec spec, db::Database& db, std::string instance_id,
                           TaskSettings settings, core::HealthRegistry& health);
  ~BackgroundTasksComponent() override;

  JobStore& jobs() { return jobs_; }
  // Before start(): what runs jobs of `kind`, and the recurring work.
  void handle(std::string kind, std::shared_ptr<JobHandler> handler);
  void schedule(Scheduler::Schedule schedule);
  // A job was queued here: a worker looks now.
  void wake() { workers_->wake(); }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct Stats;  // what the metrics read, refreshed while running (defined in the .cpp)

 private:
  JobStore jobs_;
  ScheduleStore schedules_;
  std::shared_ptr<JobWorkers> workers_;
  std::shared_ptr<Scheduler> scheduler_;
  std::shared_ptr<Stats> stats_;
};

}  // namespace netra::tasks
