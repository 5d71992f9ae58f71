// BackgroundTasksComponent (`background_tasks`, medium; requires database): the durable jobs and
// schedules of this instance — the queue (JobStore), the workers that run its jobs (JobWorkers),
// the recurring work (Scheduler) and, every few seconds, the end of jobs whose lease expired when
// they must not run again (out of attempts, or cancelled). Starting starts the workers and the
// scheduler; stopping stops the scheduler and puts the jobs running here back in the queue for
// another instance. Publishes netra_jobs{kind,state} and netra_jobs_oldest_waiting_seconds (the
// queue, read every few seconds), netra_jobs_total{kind,outcome} and netra_job_run_seconds{kind},
// and the queue as last read in /health (its details: queued, running, dead, oldest waiting).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/component.hpp"
#include "tasks/job_store.hpp"
#include "tasks/job_workers.hpp"
#include "tasks/schedule_store.hpp"
#include "tasks/scheduler.hpp"
#include "tasks/tasks_settings.hpp"

namespace netra::core {
class HealthRegistry;
}
namespace netra::telemetry {
class Metrics;
class Tracer;
}  // namespace netra::telemetry

namespace netra::tasks {

class BackgroundTasksComponent final : public core::Component {
 public:
  static constexpr const char* kName = "background_tasks";
  static core::ComponentSpec make_spec();

  // `db` outlives the component. `instance_id` names this instance's workers in the leases.
  BackgroundTasksComponent(core::ComponentSpec spec, db::Database& db, std::string instance_id,
                           TaskSettings settings, telemetry::Metrics& metrics,
                           core::HealthRegistry& health);
  ~BackgroundTasksComponent() override;

  JobStore& jobs() { return jobs_; }
  // Before start(): what runs jobs of `kind`, and the recurring work.
  void handle(std::string kind, std::shared_ptr<JobHandler> handler);
  void schedule(Scheduler::Schedule schedule);
  // Before start(): the jobs' spans go to `tracer` (JobWorkers::trace_with).
  void trace_jobs(const telemetry::Tracer& tracer, double sample_ratio) {
    workers_->trace_with(tracer, sample_ratio);
  }
  // Before start(): how the other instances hear of a job queued here (by enqueue() or a
  // schedule) — the service publishes on Redis, and each instance that hears it calls wake() —
  // so that their idle workers look now rather than at their next poll.
  void announce_through(std::function<void()> announce) { *announce_ = std::move(announce); }
  // Queues a job (JobStore::enqueue) and, when one was made, tells the workers at once: this
  // instance's, and through announce_through the others'.
  asio::awaitable<db::DbResult<JobStore::Enqueued>> enqueue(NewJob job, core::Deadline deadline);
  // The same within the owner's limit of active jobs of the kind (JobStore::enqueue_within).
  asio::awaitable<db::DbResult<JobStore::Enqueued>> enqueue_within(NewJob job, int64_t max_active,
                                                                   core::Deadline deadline);
  // A job was queued (here or, heard through Redis, on another instance): a worker looks now.
  // Thread-safe; nothing before the start (the workers look when they start).
  void wake() {
    if (running_) workers_->wake();
  }
  // Whether this instance's workers run (from the end of a start to the beginning of a stop).
  bool running() const { return running_.load(); }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct Upkeep;     // the settling and queue-reading loop's state (defined in the .cpp)
  struct QueueView;  // the queue as the upkeep last read it, for /health (defined in the .cpp)

 private:
  JobStore jobs_;
  ScheduleStore schedules_;
  std::shared_ptr<JobWorkers> workers_;
  std::shared_ptr<Scheduler> scheduler_;
  telemetry::Metrics& metrics_;
  std::shared_ptr<Upkeep> upkeep_;
  std::shared_ptr<QueueView> queue_view_;
  std::shared_ptr<std::function<void()>> announce_ = std::make_shared<std::function<void()>>();
  std::atomic<bool> running_{false};
};

}  // namespace netra::tasks
