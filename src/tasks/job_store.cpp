#include "tasks/job_store.hpp"

#include <algorithm>

#include "core/id.hpp"

namespace netra::tasks {

namespace {

// In the order job_from reads them.
const std::string kColumns =
    "id, kind, user_id, payload, state, attempts, max_attempts, run_at, lease_owner, "
    "lease_expires_at, progress, message, result, error, idempotency_key, cancel_requested, "
    "created_at, updated_at, started_at, finished_at ";
const std::string kReturning = " RETURNING " + kColumns;

const std::string kInsert =
    "INSERT INTO jobs (id, kind, user_id, payload, state, attempts, max_attempts, run_at, "
    "progress, idempotency_key, cancel_requested, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, 0, $7, 0, $8, $8)" +
    kReturning;
const std::string kByKey =
    "SELECT " + kColumns + "FROM jobs WHERE user_id = $1 AND kind = $2 AND idempotency_key = $3";
const std::string kGetFor = "SELECT " + kColumns + "FROM jobs WHERE id = $1 AND user_id = $2";
// Ended jobs, oldest first (jobs_by_finished, migration 0007). The states are the terminal ones.
const std::string kDeleteFinished =
    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE finished_at < $1 AND state IN "
    "('succeeded', 'failed', 'cancelled', 'dead') ORDER BY finished_at LIMIT $2)";
// Serialises an owner's limited enqueues on PostgreSQL until their transaction ends.
const std::string kLockOwner = "SELECT pg_advisory_xact_lock(hashtext($1))";
const std::string kActiveOf =
    "SELECT COUNT(*) FROM jobs WHERE user_id = $1 AND kind = $2 AND state IN ('queued', 'running')";
const std::string kCancelQueued =
    "UPDATE jobs SET state = 'cancelled', error = 'cancelled by its owner', finished_at = $3, "
    "updated_at = $3 WHERE id = $1 AND user_id = $2 AND state = 'queued'";
const std::string kAskToCancel =
    "UPDATE jobs SET cancel_requested = 1, updated_at = $3 "
    "WHERE id = $1 AND user_id = $2 AND state = 'running'";

// What an expired lease must not hand on (the claim skips these): a job whose worker vanished
// while it was being cancelled, or during its last attempt.
const std::string kSettleCancelled =
    "UPDATE jobs SET state = 'cancelled', error = 'cancelled by its owner', finished_at = $1, "
    "updated_at = $1, lease_owner = NULL, lease_expires_at = NULL "
    "WHERE state = 'running' AND lease_expires_at < $1 AND cancel_requested = 1";
const std::string kSettleDead =
    "UPDATE jobs SET state = 'dead', finished_at = $1, updated_at = $1, lease_owner = NULL, "
    "lease_expires_at = NULL, error = 'its instance stopped during its last attempt' "
    "WHERE state = 'running' AND lease_expires_at < $1 AND attempts >= max_attempts";
std::string claim_sql(bool skip_locked) {
  return "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, "
         "attempts = attempts + 1, started_at = COALESCE(started_at, $3), updated_at = $3 "
         "WHERE id = (SELECT id FROM jobs WHERE ((state = 'queued' AND run_at <= $3) OR "
         "(state = 'running' AND lease_expires_at < $3)) AND attempts < max_attempts AND "
         "cancel_requested = 0 ORDER BY run_at, id LIMIT 1" +
         std::string(skip_locked ? " FOR UPDATE SKIP LOCKED" : "") + ")" + kReturning;
}

// Worker moves: each only while `worker` holds the job.
const std::string kHeld = " WHERE id = $1 AND lease_owner = $2 AND state = 'running'";
const std::string kHeartbeat =
    "UPDATE jobs SET lease_expires_at = $3, progress = $4, message = $5, updated_at = $6" + kHeld +
    " RETURNING cancel_requested";
const std::string kEnded = ", lease_owner = NULL, lease_expires_at = NULL";
const std::string kSucceed =
    "UPDATE jobs SET state = 'succeeded', result = $3, progress = 1, finished_at = $4, "
    "updated_at = $4" +
    kEnded + kHeld;
const std::string kRetry =
    "UPDATE jobs SET state = 'queued', error = $3, run_at = $4, updated_at = $5" + kEnded + kHeld +
    " AND attempts < max_attempts";
const std::string kEnd =
    "UPDATE jobs SET state = $5, error = $3, finished_at = $4, updated_at = $4" + kEnded + kHeld;
const std::string kCancelled =
    "UPDATE jobs SET state = 'cancelled', error = 'cancelled by its owner', finished_at = $3, "
    "updated_at = $3" +
    kEnded + kHeld;
const std::string kRelease =
    "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $3, updated_at = $3" +
    kEnded + kHeld;

const std::string kOtherRunning = "SELECT " + kColumns +
                                  "FROM jobs WHERE state = 'running' AND kind = $1 AND id <> $2 "
                                  "AND lease_expires_at >= $3 ORDER BY started_at, id LIMIT 1";

const std::string kCounts = "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state";
const std::string kOldestWaiting =
    "SELECT MIN(run_at) FROM jobs WHERE state = 'queued' AND run_at <= $1";

// Parameters are built outside co_await expressions: g++ 12 cannot keep an initializer_list
// alive across one.
db::Params params(std::initializer_list<db::SqlParam> values) {
  return db::Params(values);
}
db::SqlParam optional_text(const std::optional<std::string>& value) {
  if (!value) return nullptr;
  return *value;
}
std::optional<int64_t> optional_int(const db::Row& row, size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return row.int64(i);
}
std::optional<nlohmann::json> optional_json(const db::Row& row, size_t i) {
  if (row.is_null(i)) return std::nullopt;
  auto parsed = nlohmann::json::parse(row.text(i), nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

Job job_from(const db::Row& row) {
  Job job;
  job.id = row.text(0);
  job.kind = row.text(1);
  job.user_id = row.optional_text(2);
  job.payload = optional_json(row, 3).value_or(nlohmann::json::object());
  job.state = parse_job_state(row.text(4)).value_or(JobState::failed);
  job.attempts = row.int64(5);
  job.max_attempts = row.int64(6);
  job.run_at = row.int64(7);
  job.lease_owner = row.optional_text(8);
  job.lease_expires_at = optional_int(row, 9);
  job.progress = row.real(10);
  job.message = row.optional_text(11);
  job.result = optional_json(row, 12);
  job.error = row.optional_text(13);
  job.idempotency_key = row.optional_text(14);
  job.cancel_requested = row.int64(15) != 0;
  job.created_at = row.int64(16);
  job.updated_at = row.int64(17);
  job.started_at = optional_int(row, 18);
  job.finished_at = optional_int(row, 19);
  return job;
}

std::optional<Job> first_job(const db::QueryResult& result) {
  if (result.rows.empty()) return std::nullopt;
  return job_from(result.rows.front());
}

db::DbError no_owner_error() {
  return {db::DbErrorCode::invalid, "enqueue_within: a job without an owner"};
}

int64_t lease_end(int64_t now, std::chrono::milliseconds lease) {
  return now + lease.count();
}

}  // namespace

JobStore::JobStore(db::Database& db, UnixClock clock)
    : db_(db), clock_(std::move(clock)), skip_locked_(db.driver_name() == "postgres") {}

asio::awaitable<db::DbResult<JobStore::Enqueued>> JobStore::enqueue(NewJob job,
                                                                    core::Deadline deadline) {
  const int64_t now = clock_();
  auto values = params({core::make_id("job"), job.kind, optional_text(job.user_id),
                        job.payload.dump(), std::max<int64_t>(1, job.max_attempts),
                        job.run_at.value_or(now), optional_text(job.idempotency_key), now});
  auto inserted = co_await db_.query(kInsert, std::move(values), deadline, "jobs.enqueue");
  if (inserted) co_return Enqueued{job_from(inserted->rows.at(0)), true};
  if (inserted.error().code != db::DbErrorCode::constraint || !job.idempotency_key ||
      !job.user_id) {
    co_return inserted.error();
  }
  // The key was used: the job made then (a retried POST) is the answer.
  auto key = params({*job.user_id, job.kind, *job.idempotency_key});
  auto existing = co_await db_.query(kByKey, std::move(key), deadline, "jobs.enqueue");
  if (!existing) co_return existing.error();
  if (existing->rows.empty()) co_return inserted.error();
  co_return Enqueued{job_from(existing->rows.front()), false};
}

asio::awaitable<db::DbResult<JobStore::Enqueued>> JobStore::enqueue_within(
    NewJob job, int64_t max_active, core::Deadline deadline) {
  if (!job.user_id) co_return no_owner_error();
  // Each statement's values are named before its co_await: GCC 12 mis-compiles a braced list
  // that lives in a co_await expression.
  auto begun = co_await db_.begin(deadline, "jobs.enqueue");
  if (!begun) co_return begun.error();
  auto& tx = begun.value();
  if (skip_locked_) {  // PostgreSQL: one such transaction per owner at a time, until it ends
    auto lock_values = params({"netra.jobs:" + *job.user_id});
    auto locked = co_await tx.query(kLockOwner, std::move(lock_values));
    if (!locked) co_return locked.error();
  }
  if (job.idempotency_key) {
    auto key_values = params({*job.user_id, job.kind, *job.idempotency_key});
    auto existing = co_await tx.query(kByKey, std::move(key_values));
    if (!existing) co_return existing.error();
    if (!existing->rows.empty()) {
      Enqueued found;
      found.job = job_from(existing->rows.front());
      found.created = false;
      co_return found;
    }
  }
  auto owner_values = params({*job.user_id, job.kind});
  auto counted = co_await tx.query(kActiveOf, std::move(owner_values));
  if (!counted) co_return counted.error();
  const int64_t active = counted->rows.at(0).int64(0);
  if (active >= max_active) {
    Enqueued full;
    full.created = false;
    full.over_limit = active;
    co_return full;
  }
  const int64_t now = clock_();
  auto values = params({core::make_id("job"), job.kind, optional_text(job.user_id),
                        job.payload.dump(), std::max<int64_t>(1, job.max_attempts),
                        job.run_at.value_or(now), optional_text(job.idempotency_key), now});
  auto inserted = co_await tx.query_then_commit(kInsert, std::move(values));
  if (!inserted) co_return inserted.error();
  Enqueued made;
  made.job = job_from(inserted->rows.at(0));
  co_return made;
}

asio::awaitable<db::DbResult<std::optional<Job>>> JobStore::get_for(std::string user_id,
                                                                    std::string id,
                                                                    core::Deadline deadline) {
  auto values = params({std::move(id), std::move(user_id)});
  auto found = co_await db_.query(kGetFor, std::move(values), deadline, "jobs.get");
  if (!found) co_return found.error();
  co_return first_job(*found);
}

asio::awaitable<db::DbResult<std::vector<Job>>> JobStore::list_for(std::string user_id,
                                                                   std::optional<std::string> kind,
                                                                   std::optional<JobState> state,
                                                                   int64_t limit,
                                                                   core::Deadline deadline) {
  // Only the filters asked for; every value is bound.
  std::string sql = "SELECT " + kColumns + "FROM jobs WHERE user_id = $1";
  db::Params values{std::move(user_id)};
  if (kind) {
    values.emplace_back(std::move(*kind));
    sql += " AND kind = $" + std::to_string(values.size());
  }
  if (state) {
    values.emplace_back(std::string(to_string(*state)));
    sql += " AND state = $" + std::to_string(values.size());
  }
  values.emplace_back(std::clamp<int64_t>(limit, 1, 100));
  sql += " ORDER BY created_at DESC, id DESC LIMIT $" + std::to_string(values.size());
  auto found = co_await db_.query(std::move(sql), std::move(values), deadline, "jobs.list");
  if (!found) co_return found.error();
  std::vector<Job> jobs;
  jobs.reserve(found->rows.size());
  for (const auto& row : found->rows) jobs.push_back(job_from(row));
  co_return jobs;
}

asio::awaitable<db::DbResult<int64_t>> JobStore::active_of(std::string user_id, std::string kind,
                                                           core::Deadline deadline) {
  auto values = params({std::move(user_id), std::move(kind)});
  auto counted = co_await db_.query(kActiveOf, std::move(values), deadline, "jobs.active");
  if (!counted) co_return counted.error();
  co_return counted->rows.at(0).int64(0);
}

asio::awaitable<db::DbResult<std::optional<Job>>> JobStore::cancel_for(std::string user_id,
                                                                       std::string id,
                                                                       core::Deadline deadline) {
  const int64_t now = clock_();
  auto queued = params({id, user_id, now});
  auto cancelled = co_await db_.query(kCancelQueued, std::move(queued), deadline, "jobs.cancel");
  if (!cancelled) co_return cancelled.error();
  if (cancelled->affected_rows == 0) {
    auto running = params({id, user_id, now});
    auto asked = co_await db_.query(kAskToCancel, std::move(running), deadline, "jobs.cancel");
    if (!asked) co_return asked.error();
  }
  co_return co_await get_for(std::move(user_id), std::move(id), deadline);
}

asio::awaitable<db::DbResult<int64_t>> JobStore::settle_expired(core::Deadline deadline) {
  const int64_t now = clock_();
  int64_t settled = 0;
  for (const auto* sql : {&kSettleCancelled, &kSettleDead}) {
    auto values = params({now});
    auto updated = co_await db_.query(*sql, std::move(values), deadline, "jobs.settle");
    if (!updated) co_return updated.error();
    settled += updated->affected_rows;
  }
  co_return settled;
}

asio::awaitable<db::DbResult<std::optional<Job>>> JobStore::claim(std::string worker,
                                                                  std::chrono::milliseconds lease,
                                                                  core::Deadline deadline) {
  const int64_t now = clock_();
  auto values = params({std::move(worker), lease_end(now, lease), now});
  auto claimed =
      co_await db_.query(claim_sql(skip_locked_), std::move(values), deadline, "jobs.claim");
  if (!claimed) co_return claimed.error();
  co_return first_job(*claimed);
}

asio::awaitable<db::DbResult<bool>> JobStore::held_update(const std::string& sql, db::Params values,
                                                          core::Deadline deadline) {
  auto updated = co_await db_.query(sql, std::move(values), deadline, "jobs.worker");
  if (!updated) co_return updated.error();
  co_return updated->affected_rows > 0;
}

asio::awaitable<db::DbResult<JobStore::Heartbeat>> JobStore::heartbeat(
    std::string id, std::string worker, std::chrono::milliseconds lease, double progress,
    std::string message, core::Deadline deadline) {
  const int64_t now = clock_();
  auto values = params({std::move(id), std::move(worker), lease_end(now, lease),
                        std::clamp(progress, 0.0, 1.0), std::move(message), now});
  auto beat = co_await db_.query(kHeartbeat, std::move(values), deadline, "jobs.heartbeat");
  if (!beat) co_return beat.error();
  Heartbeat answer;
  if (!beat->rows.empty()) {
    answer.held = true;
    answer.cancel_requested = beat->rows.front().int64(0) != 0;
  }
  co_return answer;
}

asio::awaitable<db::DbResult<bool>> JobStore::succeed(std::string id, std::string worker,
                                                      nlohmann::json result,
                                                      core::Deadline deadline) {
  auto values = params({std::move(id), std::move(worker), result.dump(), clock_()});
  co_return co_await held_update(kSucceed, std::move(values), deadline);
}

asio::awaitable<db::DbResult<bool>> JobStore::fail(std::string id, std::string worker,
                                                   std::string error,
                                                   std::optional<int64_t> retry_at,
                                                   core::Deadline deadline) {
  const int64_t now = clock_();
  if (retry_at) {
    auto again = params({id, worker, error, *retry_at, now});
    auto queued = co_await held_update(kRetry, std::move(again), deadline);
    if (!queued || queued.value()) co_return queued;
  }
  // No retry asked for (`failed`), or none left (`dead`).
  const std::string state = retry_at ? "dead" : "failed";
  auto end = params({std::move(id), std::move(worker), std::move(error), now, state});
  co_return co_await held_update(kEnd, std::move(end), deadline);
}

asio::awaitable<db::DbResult<bool>> JobStore::cancelled(std::string id, std::string worker,
                                                        core::Deadline deadline) {
  auto values = params({std::move(id), std::move(worker), clock_()});
  co_return co_await held_update(kCancelled, std::move(values), deadline);
}

asio::awaitable<db::DbResult<bool>> JobStore::release(std::string id, std::string worker,
                                                      core::Deadline deadline) {
  auto values = params({std::move(id), std::move(worker), clock_()});
  co_return co_await held_update(kRelease, std::move(values), deadline);
}

asio::awaitable<db::DbResult<std::optional<Job>>> JobStore::other_running(std::string kind,
                                                                          std::string id,
                                                                          core::Deadline deadline) {
  auto values = params({std::move(kind), std::move(id), clock_()});
  auto found = co_await db_.query(kOtherRunning, std::move(values), deadline, "jobs.other_running");
  if (!found) co_return found.error();
  co_return first_job(*found);
}

asio::awaitable<db::DbResult<int64_t>> JobStore::delete_finished(int64_t finished_before,
                                                                 int64_t limit,
                                                                 core::Deadline deadline) {
  auto values = params({finished_before, limit});
  auto deleted = co_await db_.query(kDeleteFinished, std::move(values), deadline, "jobs.retention");
  if (!deleted) co_return deleted.error();
  co_return deleted->affected_rows;
}

asio::awaitable<db::DbResult<std::vector<JobStore::Count>>> JobStore::counts(
    core::Deadline deadline) {
  auto counted = co_await db_.query(kCounts, {}, deadline, "jobs.counts");
  if (!counted) co_return counted.error();
  std::vector<Count> out;
  for (const auto& row : counted->rows) {
    const auto state = parse_job_state(row.text(1));
    if (state) out.push_back(Count{row.text(0), *state, row.int64(2)});
  }
  co_return out;
}

asio::awaitable<db::DbResult<std::optional<int64_t>>> JobStore::oldest_waiting(
    core::Deadline deadline) {
  auto values = params({clock_()});
  auto found = co_await db_.query(kOldestWaiting, std::move(values), deadline, "jobs.counts");
  if (!found) co_return found.error();
  if (found->rows.empty() || found->rows.front().is_null(0)) co_return std::nullopt;
  co_return found->rows.front().int64(0);
}

}  // namespace netra::tasks
