// JobStore: the durable queue of jobs in the database (migration 0006) — what the API enqueues and
// shows its owner, and what workers on every instance claim, hold and end.
//
// A worker claims the oldest ready job: a queued one whose run_at has come, or a running one whose
// lease expired (its instance died), one claiming statement each (FOR UPDATE SKIP LOCKED on
// PostgreSQL, so that workers racing on the queue never take the same job; SQLite has one writer).
// A claim counts an attempt and sets the lease; the worker renews it while it works (heartbeat,
// which also reports progress and tells it whether its owner asked to cancel) and ends the job
// with its result or error. Every worker call names the worker and is refused (false) once the
// lease is no longer its own: a worker whose lease lapsed has lost the job to another instance.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.hpp"
#include "db/database.hpp"
#include "tasks/job.hpp"

namespace netra::tasks {

namespace asio = boost::asio;

class JobStore {
 public:
  using UnixClock = std::function<int64_t()>;  // Unix ms
  explicit JobStore(db::Database& db, UnixClock clock);

  // --- The API, acting for an owner -----------------------------------------------------------

  struct Enqueued {
    Job job;
    bool created = true;  // false: a job of this owner, kind and idempotency key existed
    // enqueue_within only: the owner's active jobs of the kind when they were at the limit (then
    // nothing was queued and `job` is empty).
    std::optional<int64_t> over_limit = std::nullopt;
  };
  // Queues a job. With an idempotency key, the job already made for the same owner, kind and key
  // is returned instead of a second one.
  asio::awaitable<db::DbResult<Enqueued>> enqueue(NewJob job, core::Deadline deadline);
  // Like enqueue, for an owner (job.user_id) who may have at most `max_active` jobs of the kind
  // queued or running: the key's job is looked up, the active ones counted and the job inserted
  // in one transaction, serialised per owner (an advisory lock on PostgreSQL, the one writer on
  // SQLite), so requests racing on several instances cannot pass the limit together.
  asio::awaitable<db::DbResult<Enqueued>> enqueue_within(NewJob job, int64_t max_active,
                                                         core::Deadline deadline);
  // The owner's job; nothing for another owner's (the API answers 404, not 403).
  asio::awaitable<db::DbResult<std::optional<Job>>> get_for(std::string user_id, std::string id,
                                                            core::Deadline deadline);
  // The owner's jobs, newest first; `kind` and `state` filter when given. limit 1–100.
  asio::awaitable<db::DbResult<std::vector<Job>>> list_for(std::string user_id,
                                                           std::optional<std::string> kind,
                                                           std::optional<JobState> state,
                                                           int64_t limit, core::Deadline deadline);
  // The owner's jobs of `kind` that are queued or running (the per-user limit).
  asio::awaitable<db::DbResult<int64_t>> active_of(std::string user_id, std::string kind,
                                                   core::Deadline deadline);
  // Cancels the owner's job: a queued one ends `cancelled` at once, a running one is asked to
  // stop (its worker sees it at its next heartbeat); an ended one is left as it is. Returns the
  // job as it is now; nothing for another owner's.
  asio::awaitable<db::DbResult<std::optional<Job>>> cancel_for(std::string user_id, std::string id,
                                                               core::Deadline deadline);

  // --- Workers --------------------------------------------------------------------------------

  // Claims the oldest ready job for `worker`, holding it until now + `lease`; nothing when there
  // is none. A job whose lease expired after its last attempt, or that was being cancelled when
  // its worker vanished, is never claimed: settle_expired() ends it.
  asio::awaitable<db::DbResult<std::optional<Job>>> claim(std::string worker,
                                                          std::chrono::milliseconds lease,
                                                          core::Deadline deadline);
  struct Heartbeat {
    bool held = false;              // false: the lease is lost; stop working on the job
    bool cancel_requested = false;  // the owner asked to cancel: stop, then cancelled()
  };
  // Extends the lease and records the progress (0–1) and a message.
  asio::awaitable<db::DbResult<Heartbeat>> heartbeat(std::string id, std::string worker,
                                                     std::chrono::milliseconds lease,
                                                     double progress, std::string message,
                                                     core::Deadline deadline);
  // Ends the job: succeeded with `result`.
  asio::awaitable<db::DbResult<bool>> succeed(std::string id, std::string worker,
                                              nlohmann::json result, core::Deadline deadline);
  // The attempt failed with `error`: queued again to run at `retry_at`, or, with none (or no
  // attempt left), ended — `dead` when it was out of attempts, `failed` when it must not retry.
  asio::awaitable<db::DbResult<bool>> fail(std::string id, std::string worker, std::string error,
                                           std::optional<int64_t> retry_at,
                                           core::Deadline deadline);
  // The worker stopped because its owner cancelled: ended `cancelled`.
  asio::awaitable<db::DbResult<bool>> cancelled(std::string id, std::string worker,
                                                core::Deadline deadline);
  // The worker's instance stops: the job goes back to the queue at once, the attempt not counted,
  // for another instance to resume.
  asio::awaitable<db::DbResult<bool>> release(std::string id, std::string worker,
                                              core::Deadline deadline);
  // Another job of `kind` than `id` that is running under a lease that has not expired (the
  // oldest claimed, should there be several); nothing when there is none. For work that must not
  // run twice at once across the cluster: a handler that finds one gives way. Each claim is
  // committed before its handler asks, so of two jobs claimed at once at least one sees the
  // other: at most one goes on (both may give way; the next run of the work does it then).
  asio::awaitable<db::DbResult<std::optional<Job>>> other_running(std::string kind, std::string id,
                                                                  core::Deadline deadline);

  // Ends what an expired lease must not hand on: `dead` when its last attempt's instance died,
  // `cancelled` when it was being cancelled. Returns how many. (Run now and then, not at every
  // claim: the claim skips these jobs anyway, and an idle worker's claim should be one statement.)
  asio::awaitable<db::DbResult<int64_t>> settle_expired(core::Deadline deadline);

  // Deletes at most `limit` jobs that ended before `finished_before` (Unix ms), oldest first;
  // returns how many (the retention of finished jobs).
  asio::awaitable<db::DbResult<int64_t>> delete_finished(int64_t finished_before, int64_t limit,
                                                         core::Deadline deadline);

  // Jobs by kind and state, for /metrics and /health.
  struct Count {
    std::string kind;
    JobState state = JobState::queued;
    int64_t jobs = 0;
  };
  asio::awaitable<db::DbResult<std::vector<Count>>> counts(core::Deadline deadline);
  // When the oldest ready queued job became ready (Unix ms); nothing when none waits.
  asio::awaitable<db::DbResult<std::optional<int64_t>>> oldest_waiting(core::Deadline deadline);

 private:
  // One worker move of a job it holds: true when the row was still held by `worker`.
  asio::awaitable<db::DbResult<bool>> held_update(const std::string& sql, db::Params params,
                                                  core::Deadline deadline);

  db::Database& db_;
  UnixClock clock_;
  bool skip_locked_;  // PostgreSQL
};

}  // namespace netra::tasks
