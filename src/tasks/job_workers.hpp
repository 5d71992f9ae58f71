// JobWorkers: this instance's workers on the durable queue. Each worker claims the next ready job
// (JobStore::claim), runs the handler of its kind, and ends the job with what the handler
// answered; while the handler works, a heartbeat renews the lease every third of it and hears
// whether the owner asked to cancel (as does every JobContext::checkpoint between chunks). A
// failure is retried with the core full-jitter backoff until the job's last attempt (then it is
// `dead`). Stopping asks running handlers to stop and puts their jobs back in the queue
// (JobStore::release), so another instance resumes them.
//
// Handlers must not block the event loop (blocking work goes to the offload pool) and should look
// at JobContext::should_stop() between chunks of work: that is when a cancel, a lost lease or a
// shutdown takes effect.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/retry_policy.hpp"
#include "tasks/job_store.hpp"

namespace netra::telemetry {
class Tracer;
}

namespace netra::tasks {

// What a handler made of a job.
struct JobOutcome {
  enum class Kind {
    succeeded,
    retry,    // failed this time; try again later (until the last attempt)
    failed,   // failed for good (bad payload): no retry
    stopped,  // returned because should_stop(): cancelled, lease lost or shutting down
  };
  Kind kind = Kind::succeeded;
  nlohmann::json result = nlohmann::json::object();
  std::string error;

  static JobOutcome success(nlohmann::json result = nlohmann::json::object()) {
    return {Kind::succeeded, std::move(result), {}};
  }
  static JobOutcome retry_later(std::string error) { return {Kind::retry, {}, std::move(error)}; }
  static JobOutcome failure(std::string error) { return {Kind::failed, {}, std::move(error)}; }
  static JobOutcome stopped() { return {Kind::stopped, {}, {}}; }
};

// One running job, as its handler sees it.
class JobContext {
 public:
  JobContext(Job job, JobStore& store, std::string worker, std::chrono::milliseconds lease,
             std::chrono::milliseconds store_timeout)
      : job_(std::move(job)),
        store_(store),
        worker_(std::move(worker)),
        lease_(lease),
        store_timeout_(store_timeout) {}
  const Job& job() const { return job_; }

  // Between chunks of work: records the progress (0–1) and a line for people, renews the lease,
  // and says whether to go on — false once the owner cancelled, the lease was lost or the
  // instance stops (then return JobOutcome::stopped()).
  boost::asio::awaitable<bool> checkpoint(double progress, std::string message);
  bool should_stop() const { return cancel_requested_ || lease_lost_ || stopping_; }
  bool cancel_requested() const { return cancel_requested_; }

 private:
  friend class JobWorkers;
  // Renews the lease with the last progress (the periodic heartbeat).
  boost::asio::awaitable<void> renew();
  boost::asio::awaitable<void> beat(double progress, std::string message);

  Job job_;
  JobStore& store_;
  const std::string worker_;
  const std::chrono::milliseconds lease_;
  const std::chrono::milliseconds store_timeout_;
  std::mutex mutex_;
  double progress_ = 0;
  std::string message_;
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> lease_lost_{false};
  std::atomic<bool> stopping_{false};
};

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  virtual boost::asio::awaitable<JobOutcome> run(JobContext& job) = 0;
};

struct WorkerOptions {
  size_t concurrency = 2;                         // jobs at once on this instance
  std::chrono::milliseconds poll_interval{1000};  // an idle worker looks again this often
  std::chrono::milliseconds lease{30000};         // renewed every third of it
  core::RetryPolicy retry{5, std::chrono::seconds(2), std::chrono::minutes(5)};
  std::chrono::milliseconds store_timeout{5000};  // each queue statement
};

class JobWorkers : public std::enable_shared_from_this<JobWorkers> {
 public:
  // `store` outlives the workers. `instance_id` names this instance's workers in the leases.
  JobWorkers(JobStore& store, std::string instance_id, WorkerOptions options);

  // Before start(): the handler of jobs of `kind`.
  void handle(std::string kind, std::shared_ptr<JobHandler> handler);

  // Before start(): each job runs as the root span "job <kind>" of a trace of its own, sampled
  // with probability `sample_ratio` (tracing.sample_ratio), its spans sent to `tracer`. Without
  // this the jobs' log lines still carry a trace id each.
  void trace_with(const telemetry::Tracer& tracer, double sample_ratio);

  // Starts the workers on `executor`.
  void start(boost::asio::any_io_executor executor);
  // A job was queued: an idle worker looks now instead of at its next poll.
  void wake();
  // Stops claiming, asks running jobs to stop and puts them back in the queue; waits up to
  // `grace` for that. Returns how many were still running then.
  boost::asio::awaitable<size_t> stop(std::chrono::milliseconds grace);

  // The periodic heartbeat of one running job (JobContext::renew is the workers' alone).
  static boost::asio::awaitable<void> renew(JobContext& context);

  // Totals since start, for /metrics.
  struct Tally {
    uint64_t succeeded = 0, failed = 0, retried = 0, dead = 0, cancelled = 0, released = 0;
  };
  Tally tally() const;
  // Told of every attempt that ended here: its kind, how it ended (a Tally field's name) and how
  // long it ran. Before start(); called on the workers' executor.
  using Observer =
      std::function<void(const std::string& kind, const std::string& outcome, double seconds)>;
  void observe(Observer observer) { observer_ = std::move(observer); }

  struct Shared;  // the loops' shared state (defined in the .cpp)

 private:
  boost::asio::awaitable<void> work(std::string worker);
  boost::asio::awaitable<void> run_job(std::string worker, Job job);
  // The handler in the job's trace (see trace_with).
  // `label` (the kind, as handlers_ keeps it) names the job to the Watchdog and slow-statement log.
  boost::asio::awaitable<JobOutcome> run_traced(JobHandler& handler, JobContext& context,
                                                const std::string& label);
  // Records how the job ended; returns how, for the observer ("" when nothing was recorded).
  boost::asio::awaitable<std::string> end_job(const std::string& worker, JobContext& context,
                                              JobOutcome outcome);
  void count(uint64_t Tally::*field);
  static boost::asio::awaitable<size_t> stop_on_executor(std::shared_ptr<Shared> shared,
                                                         std::chrono::milliseconds grace);

  JobStore& store_;
  const std::string instance_id_;
  const WorkerOptions options_;
  std::map<std::string, std::shared_ptr<JobHandler>> handlers_;
  std::shared_ptr<Shared> shared_;
  const telemetry::Tracer* tracer_ = nullptr;
  double trace_sample_ratio_ = 0;
  mutable std::mutex mutex_;
  Tally tally_;
  Observer observer_;
  core::RandomSource random_ = core::make_random_source();
};

}  // namespace netra::tasks
