// RunStore: the agent runs a thread starts, their status as they go, and the steps each emits in
// order — what the supervisor writes, the REST API reads, and a restart after a crash repairs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_error.hpp"
#include "chat/chat_types.hpp"
#include "core/clock.hpp"
#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::chat {

namespace asio = boost::asio;

// Calls that take an owner_id act for a user: a run or thread that is not theirs (or whose
// thread is archived) is `not_found`. The others are for the agent supervisor, which acts for
// the run's owner already; a route must not call them with an id it has not checked with get().
// Input is checked before any query; calls may run concurrently.
class RunStore {
 public:
  explicit RunStore(db::Database& db, UnixClock clock = core::unix_ms_now)
      : db_(db), clock_(std::move(clock)) {}

  // A queued run of the thread, for the thread's owner. user_request: 1 byte to 32 KiB of UTF-8.
  asio::awaitable<ChatResult<Run>> create(std::string owner_id, std::string thread_id,
                                          std::string user_request, core::Deadline deadline);
  asio::awaitable<ChatResult<RunWithSteps>> get(std::string owner_id, std::string run_id,
                                                core::Deadline deadline);
  // The thread's runs, newest first (created_at, then id, both descending). limit 1–100.
  asio::awaitable<ChatResult<RunPage>> list(std::string owner_id, std::string thread_id,
                                            int64_t limit, int64_t offset, core::Deadline deadline);
  // The thread's queued or running run, if it has one (the newest, should there be several).
  asio::awaitable<ChatResult<std::optional<Run>>> active_run(std::string owner_id,
                                                             std::string thread_id,
                                                             core::Deadline deadline);

  // Supervisor: moves a run on and returns it. queued → running sets started_at; running →
  // completed, and queued or running → failed, cancelled or interrupted set finished_at and
  // `error`. Any other move (out of a terminal status, back to queued) is `conflict`, or
  // `invalid` (field status) for a move to queued.
  asio::awaitable<ChatResult<Run>> set_status(std::string run_id, RunStatus status,
                                              std::optional<std::string> error,
                                              core::Deadline deadline);
  // Supervisor: records the next step of the run and returns its seq (1, 2, 3… per run). Safe
  // when appends race: a seq taken by a concurrent append is retried with the next one. A payload
  // over kMaxStepPayloadBytes of compact JSON is `invalid` (field payload).
  asio::awaitable<ChatResult<int64_t>> append_step(std::string run_id, std::string type,
                                                   nlohmann::json payload, core::Deadline deadline);
  // Supervisor: the run's steps after `after_seq`, in seq order (a stream resumes from the last
  // seq it delivered).
  asio::awaitable<ChatResult<std::vector<RunStep>>> steps(std::string run_id,
                                                          core::Deadline deadline,
                                                          int64_t after_seq = 0);
  // At start-up, before any run starts: every queued or running run was cut off by the previous
  // process; each becomes interrupted. Returns how many.
  asio::awaitable<ChatResult<int64_t>> mark_interrupted(core::Deadline deadline);
  // Queued or running runs (of any instance) recorded before `created_before` (Unix ms), oldest
  // first, at most `limit`: for the lease sweep of a cluster.
  asio::awaitable<ChatResult<std::vector<std::string>>> unfinished(int64_t created_before,
                                                                   int64_t limit,
                                                                   core::Deadline deadline);
  // Retention: deletes at most `limit` steps of runs that finished before `finished_before` (Unix
  // ms); the runs themselves stay, with no steps. Returns how many it deleted: fewer than `limit`
  // when no more are left.
  asio::awaitable<ChatResult<int64_t>> delete_old_steps(int64_t finished_before, int64_t limit,
                                                        core::Deadline deadline);

 private:
  db::Database& db_;
  UnixClock clock_;
};

}  // namespace netra::chat
