// Supervisor: admits agent runs and runs them — at most max_concurrent_runs at once, a bounded
// queue behind them (over it: BUSY), at most max_runs_per_user of one user running or queued —
// on every instance of a cluster, with Redis — (over it: TOO_MANY_RUNS), one active run per thread,
// cancellation and shutdown.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agents/agent_run.hpp"
#include "core/settings_schema.hpp"

namespace netra::redis {
class ClusterSlots;
}

namespace netra::agents {

struct SupervisorOptions {
  size_t max_concurrent_runs = 8;
  size_t max_queued_runs = 32;  // admitted runs waiting for a slot
  // Runs of one user running or queued at once, so that one user cannot take every slot and
  // the queue from the others.
  size_t max_runs_per_user = 4;
  std::chrono::milliseconds run_timeout{120'000};
  std::chrono::milliseconds store_timeout{5'000};
  // The model catalog the agents price with: empty, the one compiled in; else a JSON file that
  // replaces it (read and installed when the configuration is loaded).
  std::string catalog_file;
};

// The `agents.*` keys of the limits.
const core::SettingsSchema<SupervisorOptions>& supervisor_options_schema();

enum class Admission {
  started,        // running now
  queued,         // will run when a slot frees
  busy,           // every slot and the queue are full: the run failed with agent_error BUSY
  thread_busy,    // the thread has an active run: failed with agent_error RUN_ACTIVE
  user_busy,      // the user has max_runs_per_user runs: failed with agent_error TOO_MANY_RUNS
  stopping,       // the supervisor is shutting down: failed with agent_error AGENT_UNAVAILABLE
  already_known,  // this run was submitted before; nothing changed
};

// Thread-safe: submit, cancel and stop may be called from any event loop. Runs execute on
// `executor`. Call stop() before destroying the supervisor; the dependencies must outlive it.
class Supervisor {
 public:
  Supervisor(asio::any_io_executor executor, RunDependencies deps, SupervisorOptions options = {},
             chat::UnixClock clock = core::unix_ms_now);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // With Redis: max_runs_per_user counts the user's runs on every instance (a place in `places`
  // per run queued or running). Before the first submit.
  void count_users_runs_in(std::shared_ptr<redis::ClusterSlots> places);

  // Takes a queued run of the store (RunStore::create). A refused run is failed in the store,
  // and its agent_error emitted, before this returns.
  asio::awaitable<Admission> submit(RunRequest request);

  // Stops a queued or running run: a queued one ends cancelled at once, a running one before its
  // next step. False when no such run is queued or running here.
  bool cancel(std::string_view run_id);

  // Refuses new runs, cancels every run, and waits up to `grace` for them to end. Returns how
  // many had not ended by then.
  asio::awaitable<size_t> stop(std::chrono::milliseconds grace);

  size_t running() const;
  size_t queued() const;
  // The runs queued or running here (what this instance holds leases for).
  std::vector<std::string> active_runs() const;

  // Runs this supervisor ended, by how, and runs it refused, by why; for /metrics.
  struct Tally {
    uint64_t completed = 0;
    uint64_t failed = 0;
    uint64_t cancelled = 0;
    uint64_t timed_out = 0;
    uint64_t refused_busy = 0;
    uint64_t refused_run_active = 0;
    uint64_t refused_too_many_runs = 0;
    uint64_t refused_stopping = 0;
  };
  Tally tally() const;

 private:
  struct Entry {
    RunRequest request;
    CancelFlag cancelled = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<void> place;  // the run's place among its user's in the cluster, if any
  };
  using EntryPtr = std::shared_ptr<Entry>;

  // Each a member coroutine spawned on executor_, counted in busy_ until it ends.
  asio::awaitable<void> run_entry(EntryPtr entry);
  asio::awaitable<void> cancel_queued(EntryPtr entry);
  asio::awaitable<void> refuse(RunRequest request, std::string code, std::string message);
  // Whether a run would be admitted here, before its place in the cluster is claimed.
  bool admissible(const RunRequest& request) const;
  // Drops a run that is no longer queued or running from the indexes, and gives back its place
  // (with mutex_ held).
  void forget_locked(Entry& entry);
  void spawn_run(EntryPtr entry);            // with mutex_ held
  void spawn_cancel_queued(EntryPtr entry);  // with mutex_ held
  void finished(const EntryPtr& entry);      // a run ended: free its slot, start the next
  void cleanup_done();                       // a cancel_queued ended
  void wake_stopper_if_idle();               // with mutex_ held
  RunSettings settings() const;

  asio::any_io_executor executor_;
  RunDependencies deps_;
  SupervisorOptions options_;
  chat::UnixClock clock_;

  mutable std::mutex mutex_;
  size_t running_ = 0;
  size_t cleanups_ = 0;  // cancel_queued coroutines still storing their ending
  std::deque<EntryPtr> queue_;
  std::map<std::string, EntryPtr, std::less<>> by_run_;        // queued or running
  std::map<std::string, std::string, std::less<>> by_thread_;  // thread → its active run
  std::map<std::string, size_t, std::less<>> per_user_;        // user → runs queued or running
  bool stopping_ = false;
  std::shared_ptr<asio::steady_timer> stop_waiter_;
  Tally tally_;
  std::shared_ptr<redis::ClusterSlots> user_places_;
};

}  // namespace netra::agents
