#include "tasks/maintenance_jobs.hpp"

#include <functional>
#include <string>

#include "auth/user_store.hpp"
#include "chat/run_store.hpp"
#include "core/clock.hpp"
#include "tasks/background_tasks_component.hpp"

namespace netra::tasks {

namespace {

using namespace std::chrono;

// Expired tokens are refused whether they are found or not; a week keeps them for an
// investigation of a stolen one.
constexpr milliseconds kKeepExpiredTokens = hours(24 * 7);
// A row per token, a run has tens of steps, a job is a row: a batch of each is a short statement
// however much expires at once.
constexpr int64_t kRowsPerBatch = 1000;
// Retention is counted in days: one pass a day keeps a run's steps at most a day past it.
constexpr milliseconds kRunStepCleanupEvery = hours(24);

milliseconds days(int64_t n) {
  return duration_cast<milliseconds>(hours(24) * n);
}

// Deletes what `purge` finds older than `keep` (now − keep), a batch at a time, with a
// checkpoint between batches (a shutdown or a cancel stops it there; the next run goes on).
class BatchedCleanup final : public tasks::JobHandler {
 public:
  // (before, limit, deadline) → how many were deleted.
  using Purge = std::function<boost::asio::awaitable<db::DbResult<int64_t>>(
      int64_t before, int64_t limit, core::Deadline deadline)>;

  BatchedCleanup(std::string what, milliseconds keep, Purge purge)
      : what_(std::move(what)), keep_(keep), purge_(std::move(purge)) {}

  boost::asio::awaitable<tasks::JobOutcome> run(tasks::JobContext& job) override {
    if (keep_.count() <= 0) {
      // Queued before its retention became 0 here (kept forever): nothing to delete.
      co_return tasks::JobOutcome::success({{"deleted", 0}, {"kept_forever", true}});
    }
    const int64_t before = core::unix_ms_now() - keep_.count();
    int64_t deleted = 0;
    for (;;) {
      auto batch = co_await purge_(before, kRowsPerBatch, core::Deadline::after(seconds(30)));
      if (!batch) co_return tasks::JobOutcome::retry_later(batch.error().message);
      deleted += batch.value();
      if (batch.value() < kRowsPerBatch) break;
      if (!co_await job.checkpoint(0.5, std::to_string(deleted) + " " + what_ + " deleted")) {
        co_return tasks::JobOutcome::stopped();
      }
    }
    co_return tasks::JobOutcome::success({{"deleted", deleted}, {"before", before}});
  }

 private:
  const std::string what_;
  const milliseconds keep_;
  Purge purge_;
};

// The stores live as long as the handler that calls them (in its Purge).
BatchedCleanup::Purge purge_tokens(db::Database& db) {
  return [tokens = std::make_shared<auth::RefreshTokenStore>(db)](int64_t before, int64_t limit,
                                                                  core::Deadline deadline) {
    return tokens->purge_expired(before, limit, deadline);
  };
}

boost::asio::awaitable<db::DbResult<int64_t>> delete_steps(std::shared_ptr<chat::RunStore> runs,
                                                           int64_t before, int64_t limit,
                                                           core::Deadline deadline) {
  auto deleted = co_await runs->delete_old_steps(before, limit, deadline);
  if (!deleted) co_return db::DbError{db::DbErrorCode::internal, deleted.error().message};
  co_return deleted.value();
}

BatchedCleanup::Purge purge_steps(db::Database& db) {
  return [runs = std::make_shared<chat::RunStore>(db)](int64_t before, int64_t limit,
                                                       core::Deadline deadline) {
    return delete_steps(runs, before, limit, deadline);
  };
}

BatchedCleanup::Purge purge_jobs(tasks::JobStore& jobs) {
  return [&jobs](int64_t before, int64_t limit, core::Deadline deadline) {
    return jobs.delete_finished(before, limit, deadline);
  };
}

// A schedule queueing a job of `kind`, when its retention keeps anything from being kept forever.
void add_cleanup(tasks::BackgroundTasksComponent& tasks, const std::string& kind,
                 milliseconds every, milliseconds keep, std::string what,
                 BatchedCleanup::Purge purge) {
  tasks.handle(kind, std::make_shared<BatchedCleanup>(std::move(what), keep, std::move(purge)));
  if (keep.count() <= 0) return;
  tasks::NewJob job;
  job.kind = kind;
  job.max_attempts = 3;
  tasks.schedule({kind, every, job});
}

}  // namespace

void add_maintenance_jobs(tasks::BackgroundTasksComponent& tasks, db::Database& db,
                          const tasks::TaskSettings& settings) {
  add_cleanup(tasks, "refresh_token_cleanup", hours(1), kKeepExpiredTokens,
              "expired refresh tokens", purge_tokens(db));
  // The runs stay (their status, request and error): GET /api/runs/{id} answers, with no steps.
  add_cleanup(tasks, "run_step_cleanup", kRunStepCleanupEvery,
              days(settings.run_step_retention_days), "run steps", purge_steps(db));
  add_cleanup(tasks, "finished_job_cleanup", hours(1), days(settings.finished_job_retention_days),
              "finished jobs", purge_jobs(tasks.jobs()));
}

}  // namespace netra::tasks
