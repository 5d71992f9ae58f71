#include "agents/supervisor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "agents/run_emitter.hpp"
#include "redis/cluster_slots.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

// A spawned coroutine that throws has nobody to tell but the log; runs themselves never throw.
void log_escape(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    telemetry::logger("agent_supervisor")->error("a supervisor task failed: {}", e.what());
  }
}

}  // namespace

Supervisor::Supervisor(asio::any_io_executor executor, RunDependencies deps,
                       SupervisorOptions options, chat::UnixClock clock)
    : executor_(std::move(executor)), deps_(deps), options_(options), clock_(std::move(clock)) {}

RunSettings Supervisor::settings() const {
  return RunSettings{options_.run_timeout, options_.store_timeout, clock_};
}

void Supervisor::count_users_runs_in(std::shared_ptr<redis::ClusterSlots> places) {
  std::lock_guard lock(mutex_);
  user_places_ = std::move(places);
}

bool Supervisor::admissible(const RunRequest& request) const {
  std::lock_guard lock(mutex_);
  const auto user = per_user_.find(request.user_id);
  return !by_run_.contains(request.run_id) && !stopping_ &&
         !by_thread_.contains(request.thread_id) &&
         (user == per_user_.end() || user->second < options_.max_runs_per_user);
}

asio::awaitable<Admission> Supervisor::submit(RunRequest request) {
  Admission admission = Admission::busy;
  std::string active_run;
  size_t users_runs = 0;
  EntryPtr to_start;
  // The user's place in the cluster, claimed only for a run this instance would take (a known
  // run's place must not be claimed twice). Given back if the run is refused after all.
  std::shared_ptr<void> place;
  bool cluster_full = false;
  std::shared_ptr<redis::ClusterSlots> places;
  {
    std::lock_guard lock(mutex_);
    places = user_places_;
  }
  if (places && admissible(request)) {
    auto claim =
        co_await places->claim(request.user_id, request.run_id, options_.max_runs_per_user);
    cluster_full = claim.kind == redis::ClusterSlots::Claim::Kind::full;
    if (cluster_full) users_runs = claim.count;
    place = std::move(claim.hold);
  }
  {
    std::lock_guard lock(mutex_);
    const auto thread = by_thread_.find(request.thread_id);
    const auto user = per_user_.find(request.user_id);
    if (!cluster_full) users_runs = user == per_user_.end() ? 0 : user->second;
    if (by_run_.contains(request.run_id)) {
      admission = Admission::already_known;
    } else if (stopping_) {
      admission = Admission::stopping;
    } else if (thread != by_thread_.end()) {
      admission = Admission::thread_busy;
      active_run = thread->second;
    } else if (cluster_full || users_runs >= options_.max_runs_per_user) {
      admission = Admission::user_busy;
    } else if (running_ < options_.max_concurrent_runs ||
               queue_.size() < options_.max_queued_runs) {
      auto entry = std::make_shared<Entry>();
      entry->request = request;
      entry->place = std::move(place);
      by_run_.emplace(request.run_id, entry);
      by_thread_.emplace(request.thread_id, request.run_id);
      ++per_user_[request.user_id];
      if (running_ < options_.max_concurrent_runs) {
        ++running_;
        to_start = std::move(entry);
        admission = Admission::started;
      } else {
        queue_.push_back(std::move(entry));
        admission = Admission::queued;
      }
    }
  }
  // Spawned outside the lock: a coroutine may start inline and take it itself.
  if (to_start) spawn_run(std::move(to_start));

  std::string code;
  std::string message;
  switch (admission) {
    case Admission::busy:
      code = "BUSY";
      message =
          fmt::format("the agent is busy ({} runs running, {} waiting); try again in a minute",
                      options_.max_concurrent_runs, options_.max_queued_runs);
      break;
    case Admission::thread_busy:
      code = "RUN_ACTIVE";
      message = "the thread already has an active run (" + active_run +
                "); stop it or wait for it to end";
      break;
    case Admission::user_busy:
      code = "TOO_MANY_RUNS";
      message = fmt::format(
          "you have {} agent runs running or waiting, the most one user may have; stop one or "
          "wait for one to end",
          users_runs);
      break;
    case Admission::stopping:
      code = "AGENT_UNAVAILABLE";
      message = "the agent supervisor is shutting down; the run did not start";
      break;
    default:
      co_return admission;
  }
  {
    std::lock_guard lock(mutex_);
    auto& count = admission == Admission::busy          ? tally_.refused_busy
                  : admission == Admission::thread_busy ? tally_.refused_run_active
                  : admission == Admission::user_busy   ? tally_.refused_too_many_runs
                                                        : tally_.refused_stopping;
    ++count;
  }
  co_await refuse(std::move(request), std::move(code), std::move(message));
  co_return admission;
}

bool Supervisor::cancel(std::string_view run_id) {
  EntryPtr was_queued;
  {
    std::lock_guard lock(mutex_);
    const auto found = by_run_.find(run_id);
    if (found == by_run_.end()) return false;
    const EntryPtr entry = found->second;
    entry->cancelled->store(true);
    const auto queued = std::find(queue_.begin(), queue_.end(), entry);
    if (queued != queue_.end()) {
      queue_.erase(queued);
      forget_locked(*entry);
      ++cleanups_;
      was_queued = entry;
    }
  }
  if (was_queued) spawn_cancel_queued(std::move(was_queued));
  return true;
}

asio::awaitable<size_t> Supervisor::stop(std::chrono::milliseconds grace) {
  std::vector<EntryPtr> queued;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, entry] : by_run_) entry->cancelled->store(true);
    for (auto& entry : queue_) {
      forget_locked(*entry);
      queued.push_back(std::move(entry));
    }
    queue_.clear();
    cleanups_ += queued.size();
  }
  for (auto& entry : queued) spawn_cancel_queued(std::move(entry));

  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, grace);
  bool idle = false;
  {
    std::lock_guard lock(mutex_);
    idle = running_ + cleanups_ == 0;
    if (!idle) stop_waiter_ = timer;
  }
  if (!idle) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  std::lock_guard lock(mutex_);
  stop_waiter_.reset();
  co_return running_ + cleanups_;
}

std::vector<std::string> Supervisor::active_runs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  ids.reserve(by_run_.size());
  for (const auto& [id, entry] : by_run_) ids.push_back(id);
  return ids;
}

size_t Supervisor::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

size_t Supervisor::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

Supervisor::Tally Supervisor::tally() const {
  std::lock_guard lock(mutex_);
  return tally_;
}

void Supervisor::spawn_run(EntryPtr entry) {
  asio::any_io_executor executor = executor_;
  if (entry->request.trace) {
    // In the asking request's trace: the run's span and everything under it join that trace.
    executor = telemetry::trace_executor(
        executor_, std::make_shared<telemetry::TraceScope>(*entry->request.trace));
  }
  asio::co_spawn(executor, run_entry(std::move(entry)), log_escape);
}

void Supervisor::spawn_cancel_queued(EntryPtr entry) {
  asio::co_spawn(executor_, cancel_queued(std::move(entry)), log_escape);
}

asio::awaitable<void> Supervisor::run_entry(EntryPtr entry) {
  // execute_run never throws; the slot is freed whatever happens to the run.
  RunSettings run_settings = settings();
  RunRequest request = entry->request;
  telemetry::ActiveSpan span("agent.run", telemetry::SpanKind::internal);
  span.set("netra.run_id", request.run_id);
  span.set("netra.thread_id", request.thread_id);
  span.make_current();
  const auto outcome =
      co_await execute_run(deps_, std::move(run_settings), std::move(request), entry->cancelled);
  span.set("netra.run_outcome", std::string(to_string(outcome)));
  if (outcome == RunOutcome::failed || outcome == RunOutcome::timed_out) {
    span.fail("the run " + std::string(to_string(outcome)));
  }
  span.end();
  telemetry::logger("agent_supervisor")
      ->debug("run {} ended {}", entry->request.run_id, to_string(outcome));
  {
    std::lock_guard lock(mutex_);
    switch (outcome) {
      case RunOutcome::completed:
        ++tally_.completed;
        break;
      case RunOutcome::failed:
        ++tally_.failed;
        break;
      case RunOutcome::cancelled:
        ++tally_.cancelled;
        break;
      case RunOutcome::timed_out:
        ++tally_.timed_out;
        break;
    }
  }
  finished(entry);
}

asio::awaitable<void> Supervisor::cancel_queued(EntryPtr entry) {
  std::optional<std::string> why = "stopped by the user";
  auto set =
      co_await deps_.runs.set_status(entry->request.run_id, chat::RunStatus::cancelled,
                                     std::move(why), core::Deadline::after(options_.store_timeout));
  if (!set) {
    telemetry::logger("agent_supervisor")
        ->warn("queued run {} could not be recorded cancelled: {}", entry->request.run_id,
               set.error().message);
  }
  // Ended elsewhere already (conflict): that ending stands. Otherwise its sockets hear the
  // cancellation, stored or not.
  if (set || set.error().code != chat::ChatErrorCode::conflict) {
    RunIdentity identity{entry->request.run_id, entry->request.thread_id, entry->request.user_id};
    RunEmitter emitter(deps_.events, std::move(identity), options_.store_timeout);
    nlohmann::json data = {{"code", "CANCELLED"},
                           {"message", "stopped by the user before it started"},
                           {"execution_time_ms", 0}};
    co_await emitter.emit_final(chat::AgentEventType::agent_error, kSupervisorName,
                                std::move(data));
  }
  cleanup_done();
}

asio::awaitable<void> Supervisor::refuse(RunRequest request, std::string code,
                                         std::string message) {
  co_await refuse_run(deps_.runs, deps_.events, std::move(request), std::move(code),
                      std::move(message), options_.store_timeout);
}

void Supervisor::finished(const EntryPtr& entry) {
  std::vector<EntryPtr> next;
  {
    std::lock_guard lock(mutex_);
    forget_locked(*entry);
    --running_;
    while (!stopping_ && running_ < options_.max_concurrent_runs && !queue_.empty()) {
      next.push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++running_;
    }
    wake_stopper_if_idle();
  }
  for (auto& e : next) spawn_run(std::move(e));
}

void Supervisor::forget_locked(Entry& entry) {
  entry.place.reset();
  const auto& request = entry.request;
  by_run_.erase(request.run_id);
  const auto thread = by_thread_.find(request.thread_id);
  if (thread != by_thread_.end() && thread->second == request.run_id) by_thread_.erase(thread);
  const auto user = per_user_.find(request.user_id);
  if (user != per_user_.end() && --user->second == 0) per_user_.erase(user);
}

void Supervisor::cleanup_done() {
  std::lock_guard lock(mutex_);
  ++tally_.cancelled;  // a queued run, cancelled before it started
  --cleanups_;
  wake_stopper_if_idle();
}

void Supervisor::wake_stopper_if_idle() {
  if (!stop_waiter_ || running_ + cleanups_ != 0) return;
  // A timer is cancelled on its own executor, never from another thread.
  asio::post(stop_waiter_->get_executor(), [timer = stop_waiter_] { timer->cancel(); });
}

}  // namespace netra::agents
