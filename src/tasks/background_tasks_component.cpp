#include "tasks/background_tasks_component.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/clock.hpp"
#include "core/health_registry.hpp"
#include "core/task_failures.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"

namespace netra::tasks {

namespace asio = boost::asio;
using namespace std::chrono;

// The upkeep of one start, every kEvery until that start's stop: ends what expired leases must
// not hand on (JobStore::settle_expired), and reads the queue for the metrics (a scrape never
// waits on the database). A start after a stop gets a loop of its own; the old one ends.
struct BackgroundTasksComponent::Upkeep {
  static constexpr seconds kEvery{5};
  std::atomic<bool> running{true};
};

// The queue of the cluster as the upkeep last read it: what /health shows (a health request never
// waits on the database). Shared with the health registry, which may outlive the component.
struct BackgroundTasksComponent::QueueView {
  struct Read {
    int64_t queued = 0, running = 0, dead = 0;
    double oldest_waiting_seconds = 0;
    steady_clock::time_point at;
  };
  mutable std::mutex mutex;
  std::optional<Read> last;

  void set(Read read) {
    std::lock_guard lock(mutex);
    last = read;
  }
  nlohmann::json json() const {
    std::lock_guard lock(mutex);
    if (!last) return {{"queue", nullptr}};  // not read yet
    const double ago = duration<double>(steady_clock::now() - last->at).count();
    return {{"queue",
             {{"queued", last->queued},
              {"running", last->running},
              {"dead", last->dead},
              {"oldest_waiting_seconds", last->oldest_waiting_seconds},
              {"read_seconds_ago", std::round(ago * 10) / 10}}}};
  }
};

namespace {

asio::awaitable<void> keep_up(std::shared_ptr<BackgroundTasksComponent::Upkeep> upkeep,
                              JobStore& jobs, telemetry::Metrics& metrics,
                              std::shared_ptr<BackgroundTasksComponent::QueueView> view) {
  auto log = telemetry::logger(BackgroundTasksComponent::kName);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (upkeep->running) {
    auto settled = co_await jobs.settle_expired(core::Deadline::after(seconds(5)));
    if (!upkeep->running) break;
    if (settled && settled.value() > 0) {
      log->warn("{} job(s) ended after their instance stopped: out of attempts, or cancelled",
                settled.value());
    }
    auto counts = co_await jobs.counts(core::Deadline::after(seconds(5)));
    if (!upkeep->running) break;
    auto oldest = co_await jobs.oldest_waiting(core::Deadline::after(seconds(5)));
    if (!upkeep->running) break;
    if (counts && oldest) {
      std::vector<telemetry::Metrics::JobCount> by_kind;
      BackgroundTasksComponent::QueueView::Read read;
      for (const auto& c : *counts) {
        by_kind.push_back({c.kind, std::string(to_string(c.state)), static_cast<double>(c.jobs)});
        if (c.state == JobState::queued) read.queued += c.jobs;
        if (c.state == JobState::running) read.running += c.jobs;
        if (c.state == JobState::dead) read.dead += c.jobs;
      }
      const double age =
          oldest->has_value() ? std::max<double>(0, (core::unix_ms_now() - **oldest) / 1000.0) : 0;
      metrics.set_job_counts(by_kind, age);
      read.oldest_waiting_seconds = age;
      read.at = steady_clock::now();
      view->set(read);
    }
    pause.expires_after(BackgroundTasksComponent::Upkeep::kEvery);
    (void)co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace

core::ComponentSpec BackgroundTasksComponent::make_spec() {
  // Jobs live in the database. `clickhouse` (whose jobs are registered when it is built) uses
  // this component, not the other way round.
  return {kName, core::Criticality::medium, {core::requires_component("database")}};
}

BackgroundTasksComponent::BackgroundTasksComponent(core::ComponentSpec spec, db::Database& db,
                                                   std::string instance_id, TaskSettings settings,
                                                   telemetry::Metrics& metrics,
                                                   core::HealthRegistry& health)
    : core::Component(std::move(spec)),
      jobs_(db, core::unix_ms_now),
      schedules_(db, core::unix_ms_now),
      metrics_(metrics),
      queue_view_(std::make_shared<QueueView>()) {
  WorkerOptions options;
  options.concurrency = settings.workers;
  options.poll_interval = settings.poll_interval;
  options.lease = settings.lease;
  workers_ = std::make_shared<JobWorkers>(jobs_, instance_id, options);
  workers_->observe([&metrics](const std::string& kind, const std::string& outcome,
                               double seconds) { metrics.job_ended(kind, outcome, seconds); });
  scheduler_ = std::make_shared<Scheduler>(schedules_, jobs_, instance_id,
                                           [workers = workers_, announce = announce_] {
                                             workers->wake();
                                             if (*announce) (*announce)();
                                           });
  health.add_details(kName, [view = queue_view_] { return view->json(); });
}

BackgroundTasksComponent::~BackgroundTasksComponent() {
  if (upkeep_) upkeep_->running = false;
}

void BackgroundTasksComponent::handle(std::string kind, std::shared_ptr<JobHandler> handler) {
  workers_->handle(std::move(kind), std::move(handler));
}

void BackgroundTasksComponent::schedule(Scheduler::Schedule schedule) {
  scheduler_->add(std::move(schedule));
}

asio::awaitable<db::DbResult<JobStore::Enqueued>> BackgroundTasksComponent::enqueue(
    NewJob job, core::Deadline deadline) {
  auto queued = co_await jobs_.enqueue(std::move(job), deadline);
  if (queued && queued->created) {
    wake();
    if (*announce_) (*announce_)();
  }
  co_return queued;
}

asio::awaitable<db::DbResult<JobStore::Enqueued>> BackgroundTasksComponent::enqueue_within(
    NewJob job, int64_t max_active, core::Deadline deadline) {
  auto queued = co_await jobs_.enqueue_within(std::move(job), max_active, deadline);
  if (queued && queued->created) wake();
  co_return queued;
}

asio::awaitable<core::Status> BackgroundTasksComponent::start(core::LifecycleContext&) {
  auto executor = co_await asio::this_coro::executor;
  workers_->start(executor);
  scheduler_->start(executor);
  if (upkeep_) upkeep_->running = false;
  upkeep_ = std::make_shared<Upkeep>();
  asio::co_spawn(executor, keep_up(upkeep_, jobs_, metrics_, queue_view_),
                 core::detached_reporting("the job queue upkeep"));
  running_ = true;
  co_return core::Status::ok();
}

asio::awaitable<core::Status> BackgroundTasksComponent::stop(core::LifecycleContext& ctx) {
  running_ = false;
  if (upkeep_) upkeep_->running = false;
  upkeep_.reset();
  co_await scheduler_->stop();
  // Most of the stop timeout for running jobs to reach their next checkpoint; a job still
  // running then keeps its lease until it lapses, and another instance takes it over.
  const auto grace = ctx.timeout > milliseconds(0) ? ctx.timeout * 8 / 10 : milliseconds(5000);
  const size_t still_running = co_await workers_->stop(grace);
  if (still_running > 0) {
    telemetry::logger(kName)->warn(
        "{} job(s) still running after {} ms; another instance takes them over when their "
        "leases lapse",
        still_running, grace.count());
  }
  co_return core::Status::ok();
}

}  // namespace netra::tasks
