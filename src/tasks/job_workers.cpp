#include "tasks/job_workers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "core/clock.hpp"
#include "core/labelled_executor.hpp"
#include "core/task_failures.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/trace_scope.hpp"

namespace netra::tasks {

namespace asio = boost::asio;
using namespace std::chrono;

// Everything here is touched only on `executor`, except `stopping`.
struct JobWorkers::Shared {
  asio::any_io_executor executor;
  std::atomic<bool> stopping{false};
  std::set<std::shared_ptr<asio::steady_timer>> idle;  // workers waiting for work
  std::set<std::shared_ptr<JobContext>> jobs;          // running now
  std::shared_ptr<asio::steady_timer> stop_waiter;     // stop() waits on it
  size_t loops = 0;                                    // worker loops still running
};

namespace {

auto log() {
  return telemetry::logger("background_tasks");
}

// Waits on `timer` until it expires or is cancelled.
asio::awaitable<void> wait(asio::steady_timer& timer) {
  (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Renews the job's lease every `every` until `done`. (Not a capturing lambda: g++ 12 destroys
// the captures of a lambda coroutine given to co_spawn twice.)
asio::awaitable<void> renew_until_done(std::shared_ptr<JobContext> context,
                                       std::shared_ptr<asio::steady_timer> timer,
                                       std::shared_ptr<bool> done, milliseconds every) {
  while (!*done) {
    timer->expires_after(every);
    co_await wait(*timer);
    if (*done) break;
    co_await JobWorkers::renew(*context);
  }
}

}  // namespace

asio::awaitable<void> JobContext::beat(double progress, std::string message) {
  auto beat = co_await store_.heartbeat(job_.id, worker_, lease_, progress, std::move(message),
                                        core::Deadline::after(store_timeout_));
  if (!beat) {
    // The lease runs on; if the store stays away it lapses and another instance takes over.
    log()->warn("job {}: heartbeat failed: {}", job_.id, beat.error().message);
    co_return;
  }
  if (!beat->held) {
    if (!lease_lost_.exchange(true)) {
      log()->warn("job {}: its lease was lost (another instance took it over); stopping", job_.id);
    }
  } else if (beat->cancel_requested) {
    cancel_requested_ = true;
  }
}

asio::awaitable<bool> JobContext::checkpoint(double progress, std::string message) {
  {
    std::lock_guard lock(mutex_);
    progress_ = progress;
    message_ = message;
  }
  co_await beat(progress, std::move(message));
  co_return !should_stop();
}

asio::awaitable<void> JobWorkers::renew(JobContext& context) {
  co_await context.renew();
}

asio::awaitable<void> JobContext::renew() {
  double progress = 0;
  std::string message;
  {
    std::lock_guard lock(mutex_);
    progress = progress_;
    message = message_;
  }
  co_await beat(progress, std::move(message));
}

JobWorkers::JobWorkers(JobStore& store, std::string instance_id, WorkerOptions options)
    : store_(store),
      instance_id_(std::move(instance_id)),
      options_(options),
      shared_(std::make_shared<Shared>()) {}

void JobWorkers::handle(std::string kind, std::shared_ptr<JobHandler> handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

void JobWorkers::trace_with(const telemetry::Tracer& tracer, double sample_ratio) {
  tracer_ = &tracer;
  trace_sample_ratio_ = sample_ratio;
}

void JobWorkers::start(asio::any_io_executor executor) {
  shared_->executor = executor;
  shared_->stopping = false;  // started again after a stop
  shared_->loops += options_.concurrency;
  for (size_t i = 0; i < options_.concurrency; ++i) {
    asio::co_spawn(executor, work(instance_id_ + "/" + std::to_string(i)),
                   core::detached_reporting("a job worker"));
  }
}

void JobWorkers::wake() {
  if (!shared_->executor) return;
  asio::post(shared_->executor, [shared = shared_] {
    for (const auto& timer : shared->idle) timer->cancel();
  });
}

void JobWorkers::count(uint64_t Tally::*field) {
  std::lock_guard lock(mutex_);
  ++(tally_.*field);
}

JobWorkers::Tally JobWorkers::tally() const {
  std::lock_guard lock(mutex_);
  return tally_;
}

asio::awaitable<void> JobWorkers::work(std::string worker) {
  auto self = shared_from_this();
  auto shared = shared_;
  auto idle = std::make_shared<asio::steady_timer>(shared->executor);
  bool reported_failure = false;
  while (!shared->stopping) {
    auto claimed = co_await store_.claim(worker, options_.lease,
                                         core::Deadline::after(options_.store_timeout));
    if (claimed && claimed->has_value()) {
      reported_failure = false;
      if (shared->stopping) {  // claimed while stop() began: straight back to the queue
        (void)co_await store_.release((*claimed)->id, worker,
                                      core::Deadline::after(options_.store_timeout));
        break;
      }
      co_await run_job(worker, std::move(**claimed));
      continue;
    }
    if (!claimed && !reported_failure) {
      // Once per outage: the database component reports the outage itself.
      log()->warn("{}: cannot claim jobs: {}; trying again every {} ms", worker,
                  claimed.error().message, options_.poll_interval.count());
      reported_failure = true;
    }
    if (shared->stopping) break;
    idle->expires_after(options_.poll_interval);
    shared->idle.insert(idle);
    co_await wait(*idle);
    shared->idle.erase(idle);
  }
  if (--shared->loops == 0 && shared->stop_waiter) shared->stop_waiter->cancel();
}

asio::awaitable<JobOutcome> JobWorkers::run_traced(JobHandler& handler, JobContext& context,
                                                   const std::string& label) {
  auto scope = telemetry::new_trace_scope(tracer_, trace_sample_ratio_);
  auto span = telemetry::ActiveSpan::root(scope, "job " + context.job().kind,
                                          telemetry::SpanKind::internal);
  span.set("netra.job_id", context.job().id);
  span.set("netra.job_attempt", static_cast<int64_t>(context.job().attempts));
  auto traced = telemetry::trace_executor(core::label_executor(shared_->executor, label.c_str()),
                                          std::move(scope));
  auto outcome = co_await asio::co_spawn(traced, handler.run(context), asio::use_awaitable);
  if (outcome.kind == JobOutcome::Kind::retry || outcome.kind == JobOutcome::Kind::failed) {
    span.fail(outcome.error);
  }
  co_return outcome;
}

asio::awaitable<void> JobWorkers::run_job(std::string worker, Job job) {
  auto shared = shared_;
  auto context =
      std::make_shared<JobContext>(job, store_, worker, options_.lease, options_.store_timeout);
  shared->jobs.insert(context);
  const auto started = steady_clock::now();
  log()->info("job {} ({}) started by {}, attempt {} of {}", job.id, job.kind, worker, job.attempts,
              job.max_attempts);

  // The lease is renewed every third of it while the handler works.
  auto heartbeat = std::make_shared<asio::steady_timer>(shared->executor);
  auto done = std::make_shared<bool>(false);
  asio::co_spawn(shared->executor, renew_until_done(context, heartbeat, done, options_.lease / 3),
                 core::detached_reporting("a job's lease renewal"));

  JobOutcome outcome;
  const auto handler = handlers_.find(job.kind);
  if (handler == handlers_.end()) {
    outcome = JobOutcome::failure("no handler for jobs of kind " + job.kind);
  } else {
    try {
      outcome = co_await run_traced(*handler->second, *context, handler->first);
    } catch (const std::exception& e) {
      outcome = JobOutcome::retry_later(std::string("the handler threw: ") + e.what());
    }
  }
  *done = true;
  heartbeat->cancel();
  const auto how = co_await end_job(worker, *context, std::move(outcome));
  if (observer_ && !how.empty()) {
    observer_(job.kind, how, duration<double>(steady_clock::now() - started).count());
  }
  shared->jobs.erase(context);
}

asio::awaitable<std::string> JobWorkers::end_job(const std::string& worker, JobContext& context,
                                                 JobOutcome outcome) {
  const auto& job = context.job();
  const auto deadline = core::Deadline::after(options_.store_timeout);
  using Kind = JobOutcome::Kind;
  if (context.lease_lost_) {
    log()->warn("job {}: ended here after its lease was lost; the instance holding it decides",
                job.id);
    co_return "";
  }
  db::DbResult<bool> ended = false;
  std::string how;
  std::string outcome_name;
  if (outcome.kind == Kind::succeeded) {
    ended = co_await store_.succeed(job.id, worker, std::move(outcome.result), deadline);
    how = "succeeded";
    count(&Tally::succeeded);
    outcome_name = "succeeded";
  } else if (context.cancel_requested_ && outcome.kind == Kind::stopped) {
    ended = co_await store_.cancelled(job.id, worker, deadline);
    how = "cancelled by its owner";
    count(&Tally::cancelled);
    outcome_name = "cancelled";
  } else if (context.stopping_) {
    // Shutting down: whatever the handler made of it, another instance runs it again.
    ended = co_await store_.release(job.id, worker, deadline);
    how = "released for another instance (shutdown)";
    count(&Tally::released);
    outcome_name = "released";
  } else if (outcome.kind == Kind::failed || outcome.kind == Kind::stopped) {
    ended = co_await store_.fail(job.id, worker, outcome.error, std::nullopt, deadline);
    how = "failed: " + outcome.error;
    count(&Tally::failed);
    outcome_name = "failed";
  } else {
    const auto pause = options_.retry.backoff(static_cast<int>(job.attempts), random_());
    const int64_t retry_at = core::unix_ms_now() + pause.count();
    ended = co_await store_.fail(job.id, worker, outcome.error, retry_at, deadline);
    if (job.attempts >= job.max_attempts) {
      how = "dead after " + std::to_string(job.attempts) + " attempts: " + outcome.error;
      count(&Tally::dead);
      outcome_name = "dead";
    } else {
      how = "failed (" + outcome.error + "); retried in " + std::to_string(pause.count()) + " ms";
      count(&Tally::retried);
      outcome_name = "retried";
    }
  }
  if (!ended) {
    log()->warn("job {}: could not record that it {}: {}; its lease will lapse", job.id, how,
                ended.error().message);
  } else if (!ended.value()) {
    log()->warn("job {}: no longer held by {} when it {}", job.id, worker, how);
  } else {
    log()->info("job {} ({}) {}", job.id, job.kind, how);
  }
  co_return ended&& ended.value() ? outcome_name : "";
}

// On the workers' executor: wakes the idle, tells the running, then waits for the loops to end.
asio::awaitable<size_t> JobWorkers::stop_on_executor(std::shared_ptr<Shared> shared,
                                                     milliseconds grace) {
  for (const auto& timer : shared->idle) timer->cancel();
  for (const auto& context : shared->jobs) context->stopping_ = true;
  if (shared->loops > 0) {
    shared->stop_waiter = std::make_shared<asio::steady_timer>(shared->executor, grace);
    co_await wait(*shared->stop_waiter);
    shared->stop_waiter.reset();
  }
  co_return shared->jobs.size();
}

asio::awaitable<size_t> JobWorkers::stop(milliseconds grace) {
  if (!shared_->executor) co_return 0;
  shared_->stopping = true;
  co_return co_await asio::co_spawn(shared_->executor, stop_on_executor(shared_, grace),
                                    asio::use_awaitable);
}

}  // namespace netra::tasks
