#include "chat/run_store.hpp"

#include "chat/chat_validation.hpp"
#include "chat/detail/chat_rows.hpp"
#include "core/id.hpp"

namespace netra::chat {

using detail::failed;
using detail::params;

namespace {

// The run columns of `runs r`, named as run_from reads them.
const std::string kRunColumnsOfR =
    "r.id AS id, r.thread_id AS thread_id, r.user_id AS user_id, r.status AS status, "
    "r.user_request AS user_request, r.error AS error, r.created_at AS created_at, "
    "r.started_at AS started_at, r.finished_at AS finished_at ";

// Only into a thread the owner sees: no row inserted means not_found.
const std::string kInsert =
    "INSERT INTO runs (id, thread_id, user_id, status, user_request, created_at) "
    "SELECT $1, t.id, t.owner_id, 'queued', $3, $4 FROM threads t "
    "WHERE t.id = $2 AND t.owner_id = $5 AND t.archived_at IS NULL";
const std::string kGetVisible = "SELECT " + kRunColumnsOfR +
                                "FROM runs r JOIN threads t ON t.id = r.thread_id "
                                "WHERE r.id = $1 AND t.owner_id = $2 AND t.archived_at IS NULL";
const std::string kCountVisible =
    "SELECT (SELECT COUNT(*) FROM runs r WHERE r.thread_id = t.id) FROM threads t "
    "WHERE t.id = $1 AND t.owner_id = $2 AND t.archived_at IS NULL";
const std::string kPage = std::string("SELECT ") + detail::kRunColumns +
                          "FROM runs WHERE thread_id = $1 ORDER BY created_at DESC, id DESC "
                          "LIMIT $2 OFFSET $3";
// One row when the thread is visible; its run columns are NULL when no run is active.
const std::string kActive = "SELECT t.id AS visible_thread, " + kRunColumnsOfR +
                            "FROM threads t LEFT JOIN runs r ON r.thread_id = t.id AND "
                            "r.status IN ('queued', 'running') "
                            "WHERE t.id = $1 AND t.owner_id = $2 AND t.archived_at IS NULL "
                            "ORDER BY r.created_at DESC, r.id DESC LIMIT 1";

// The allowed moves, each one conditional update: a run that is not in a from-status is left
// alone, so two supervisors racing cannot both move it.
const std::string kReturning = std::string(" RETURNING ") + detail::kRunColumns;
const std::string kStart =
    "UPDATE runs SET status = 'running', started_at = $2 WHERE id = $1 AND status = 'queued'" +
    kReturning;
const std::string kComplete =
    "UPDATE runs SET status = 'completed', finished_at = $2, error = $3 "
    "WHERE id = $1 AND status = 'running'" +
    kReturning;
const std::string kFinish =
    "UPDATE runs SET status = $4, finished_at = $2, error = $3 "
    "WHERE id = $1 AND status IN ('queued', 'running')" +
    kReturning;
const std::string kStatusOf = "SELECT status FROM runs WHERE id = $1";
const std::string kInterruptAll =
    "UPDATE runs SET status = 'interrupted', finished_at = $1, error = $2 "
    "WHERE status IN ('queued', 'running')";
// Whether any run is left to interrupt: a read, where the UPDATE would take the database's write
// lock at every start-up though a clean stop leaves nothing to mark.
const std::string kAnyUnfinished =
    "SELECT 1 FROM runs WHERE status IN ('queued', 'running') LIMIT 1";
const std::string kInterruptedWhy = "the service stopped while this run was active";
const std::string kUnfinished =
    "SELECT id FROM runs WHERE status IN ('queued', 'running') AND created_at < $1 "
    "ORDER BY created_at LIMIT $2";
// One batch of retention: the steps of runs finished before $1, at most $2 of them. (Row values:
// PostgreSQL, and SQLite since 3.15.)
const std::string kDeleteOldSteps =
    "DELETE FROM run_steps WHERE (run_id, seq) IN (SELECT s.run_id, s.seq FROM run_steps s "
    "JOIN runs r ON r.id = s.run_id WHERE r.finished_at < $1 LIMIT $2)";

// The next seq of the run, or no row when the run does not exist. Two racing appends may pick
// the same seq; the primary key refuses the second, which tries again.
const std::string kAppendStep =
    "INSERT INTO run_steps (run_id, seq, type, payload, created_at) "
    "SELECT r.id, (SELECT COALESCE(MAX(s.seq), 0) + 1 FROM run_steps s WHERE s.run_id = r.id), "
    "$2, $3, $4 FROM runs r WHERE r.id = $1 RETURNING seq";
constexpr int kMaxAppendAttempts = 64;
const std::string kSteps = std::string("SELECT ") + detail::kStepColumns +
                           "FROM run_steps WHERE run_id = $1 AND seq > $2 ORDER BY seq";

std::optional<ChatError> bad_id(const std::string& id, IdKind kind, const char* field) {
  if (auto bad = check_id(id, kind, field)) return ChatError::invalid(*bad);
  return std::nullopt;
}

}  // namespace

asio::awaitable<ChatResult<Run>> RunStore::create(std::string owner_id, std::string thread_id,
                                                  std::string user_request,
                                                  core::Deadline deadline) {
  if (auto bad = bad_id(thread_id, IdKind::thread, "thread_id")) co_return *bad;
  if (auto bad = check_content(user_request, "user_request")) co_return ChatError::invalid(*bad);
  Run run{core::make_id(id_prefix(IdKind::run)),
          std::move(thread_id),
          std::move(owner_id),
          RunStatus::queued,
          std::move(user_request),
          std::nullopt,
          clock_(),
          std::nullopt,
          std::nullopt};
  auto values = params({run.id, run.thread_id, run.user_request, run.created_at, run.user_id});
  auto inserted = co_await db_.query(kInsert, std::move(values), deadline, "runs.create");
  if (!inserted) co_return failed(inserted.error());
  if (inserted->affected_rows == 0) co_return ChatError::not_found("thread");
  co_return run;
}

asio::awaitable<ChatResult<RunWithSteps>> RunStore::get(std::string owner_id, std::string run_id,
                                                        core::Deadline deadline) {
  if (auto bad = bad_id(run_id, IdKind::run, "run_id")) co_return *bad;
  auto values = params({run_id, std::move(owner_id)});
  auto found = co_await db_.query(kGetVisible, std::move(values), deadline, "runs.get");
  if (!found) co_return failed(found.error());
  if (found->empty()) co_return ChatError::not_found("run");
  auto run = detail::first_row(std::move(*found), detail::run_from);
  if (!run) co_return run.error();
  auto steps = co_await this->steps(std::move(run_id), deadline);
  if (!steps) co_return steps.error();
  co_return RunWithSteps{std::move(run.value()), std::move(steps.value())};
}

asio::awaitable<ChatResult<RunPage>> RunStore::list(std::string owner_id, std::string thread_id,
                                                    int64_t limit, int64_t offset,
                                                    core::Deadline deadline) {
  if (auto bad = bad_id(thread_id, IdKind::thread, "thread_id")) co_return *bad;
  if (auto bad = check_page(limit, offset)) co_return ChatError::invalid(*bad);
  auto page = co_await detail::thread_page(db_, {kCountVisible.c_str(), kPage.c_str(), "runs.list"},
                                           std::move(owner_id), std::move(thread_id), limit, offset,
                                           deadline, detail::run_from);
  if (!page) co_return page.error();
  co_return RunPage{std::move(page->first), page->second};
}

asio::awaitable<ChatResult<std::optional<Run>>> RunStore::active_run(std::string owner_id,
                                                                     std::string thread_id,
                                                                     core::Deadline deadline) {
  if (auto bad = bad_id(thread_id, IdKind::thread, "thread_id")) co_return *bad;
  auto values = params({std::move(thread_id), std::move(owner_id)});
  auto found = co_await db_.query(kActive, std::move(values), deadline, "runs.active_run");
  if (!found) co_return failed(found.error());
  if (found->empty()) co_return ChatError::not_found("thread");
  if (found->rows[0].is_null(found->column("id"))) co_return std::optional<Run>();
  auto run = detail::first_row(std::move(*found), detail::run_from);
  if (!run) co_return run.error();
  co_return std::optional<Run>(std::move(run.value()));
}

asio::awaitable<ChatResult<Run>> RunStore::set_status(std::string run_id, RunStatus status,
                                                      std::optional<std::string> error,
                                                      core::Deadline deadline) {
  if (auto bad = bad_id(run_id, IdKind::run, "run_id")) co_return *bad;
  if (status == RunStatus::queued) {
    co_return ChatError::invalid({"status", "cannot be set back to queued"});
  }
  if (error) {
    if (auto bad = check_content(*error, "error")) co_return ChatError::invalid(*bad);
  }
  const std::string* sql = &kFinish;
  if (status == RunStatus::running) sql = &kStart;
  if (status == RunStatus::completed) sql = &kComplete;
  // Exactly the parameters the statement uses: PostgreSQL cannot type an unused one.
  auto values =
      params({run_id, clock_(), detail::optional_param(error), std::string(to_string(status))});
  if (status == RunStatus::running) values.resize(2);
  if (status == RunStatus::completed) values.resize(3);
  auto updated = co_await db_.query(*sql, std::move(values), deadline, "runs.set_status");
  if (!updated) co_return failed(updated.error());
  if (!updated->empty()) co_return detail::first_row(std::move(*updated), detail::run_from);

  auto status_values = params({std::move(run_id)});
  auto current =
      co_await db_.query(kStatusOf, std::move(status_values), deadline, "runs.set_status");
  if (!current) co_return failed(current.error());
  if (current->empty()) co_return ChatError::not_found("run");
  co_return ChatError::conflict("the run is " + current->rows[0].text(0) + "; it cannot become " +
                                std::string(to_string(status)));
}

asio::awaitable<ChatResult<int64_t>> RunStore::append_step(std::string run_id, std::string type,
                                                           nlohmann::json payload,
                                                           core::Deadline deadline) {
  if (auto bad = bad_id(run_id, IdKind::run, "run_id")) co_return *bad;
  if (auto bad = check_step_type(type)) co_return ChatError::invalid(*bad);
  auto serialized = serialize_json(payload, "payload");
  if (!serialized) co_return ChatError::invalid(serialized.error());
  if (serialized->size() > kMaxStepPayloadBytes) {
    FieldError too_big{"payload",
                       "at most " + std::to_string(kMaxStepPayloadBytes) + " bytes of JSON"};
    co_return ChatError::invalid(std::move(too_big));
  }
  for (int attempt = 1;; ++attempt) {
    auto values = params({run_id, type, serialized.value(), clock_()});
    auto inserted =
        co_await db_.query(kAppendStep, std::move(values), deadline, "runs.append_step");
    if (inserted) {
      if (inserted->empty()) co_return ChatError::not_found("run");
      co_return inserted->rows[0].int64(0);
    }
    // Only a taken seq is worth another try; it means another append made progress.
    if (inserted.error().code != db::DbErrorCode::constraint || attempt == kMaxAppendAttempts) {
      co_return failed(inserted.error());
    }
  }
}

asio::awaitable<ChatResult<std::vector<RunStep>>> RunStore::steps(std::string run_id,
                                                                  core::Deadline deadline,
                                                                  int64_t after_seq) {
  if (auto bad = bad_id(run_id, IdKind::run, "run_id")) co_return *bad;
  auto values = params({std::move(run_id), after_seq});
  auto rows = co_await db_.query(kSteps, std::move(values), deadline, "runs.steps");
  if (!rows) co_return failed(rows.error());
  co_return detail::all_rows(std::move(*rows), detail::step_from);
}

asio::awaitable<ChatResult<std::vector<std::string>>> RunStore::unfinished(
    int64_t created_before, int64_t limit, core::Deadline deadline) {
  auto values = params({created_before, limit});
  auto rows = co_await db_.query(kUnfinished, std::move(values), deadline, "runs.unfinished");
  if (!rows) co_return failed(rows.error());
  std::vector<std::string> ids;
  for (const auto& row : rows->rows) ids.push_back(row.text(0));
  co_return ids;
}

asio::awaitable<ChatResult<int64_t>> RunStore::delete_old_steps(int64_t finished_before,
                                                                int64_t limit,
                                                                core::Deadline deadline) {
  auto values = params({finished_before, limit});
  auto deleted =
      co_await db_.query(kDeleteOldSteps, std::move(values), deadline, "runs.delete_old_steps");
  if (!deleted) co_return failed(deleted.error());
  co_return deleted->affected_rows;
}

asio::awaitable<ChatResult<int64_t>> RunStore::mark_interrupted(core::Deadline deadline) {
  auto any = co_await db_.query(kAnyUnfinished, {}, deadline, "runs.any_unfinished");
  if (!any) co_return failed(any.error());
  if (any->rows.empty()) co_return int64_t{0};
  auto values = params({clock_(), kInterruptedWhy});
  auto updated =
      co_await db_.query(kInterruptAll, std::move(values), deadline, "runs.mark_interrupted");
  if (!updated) co_return failed(updated.error());
  co_return updated->affected_rows;
}

}  // namespace netra::chat
