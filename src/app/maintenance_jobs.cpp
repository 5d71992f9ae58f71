#include "app/maintenance_jobs.hpp"

#include "auth/user_store.hpp"
#include "chat/run_store.hpp"
#include "core/clock.hpp"
#include "tasks/background_tasks_component.hpp"

namespace netra::app {

namespace {

using namespace std::chrono;

// Expired tokens are refused whether they are found or not; a week keeps them for an
// investigation of a stolen one.
constexpr milliseconds kKeepExpiredTokens = hours(24 * 7);
constexpr int64_t kTokensPerBatch = 1000;
// A run has tens of steps: a batch is a short transaction however many runs expire at once.
constexpr int64_t kStepsPerBatch = 1000;
// Retention is counted in days: one pass a day keeps a run's steps at most a day past it.
constexpr milliseconds kRunStepCleanupEvery = hours(24);

class RefreshTokenCleanup final : public tasks::JobHandler {
 public:
  explicit RefreshTokenCleanup(db::Database& db) : tokens_(db) {}

  boost::asio::awaitable<tasks::JobOutcome> run(tasks::JobContext& job) override {
    const int64_t before = core::unix_ms_now() - kKeepExpiredTokens.count();
    int64_t deleted = 0;
    for (;;) {
      auto batch = co_await tokens_.purge_expired(before, kTokensPerBatch,
                                                  core::Deadline::after(seconds(30)));
      if (!batch) co_return tasks::JobOutcome::retry_later(batch.error().message);
      deleted += batch.value();
      if (batch.value() < kTokensPerBatch) break;
      if (!co_await job.checkpoint(0.5, std::to_string(deleted) + " expired tokens deleted")) {
        co_return tasks::JobOutcome::stopped();
      }
    }
    co_return tasks::JobOutcome::success({{"deleted", deleted}});
  }

 private:
  auth::RefreshTokenStore tokens_;
};

// The steps of runs that finished more than `retention_days` ago; the runs stay (their status,
// request and error), so GET /api/runs/{id} still answers, with no steps.
class RunStepCleanup final : public tasks::JobHandler {
 public:
  RunStepCleanup(db::Database& db, int64_t retention_days)
      : runs_(db), retention_days_(retention_days) {}

  boost::asio::awaitable<tasks::JobOutcome> run(tasks::JobContext& job) override {
    if (retention_days_ <= 0) {
      // Queued before tasks.run_step_retention_days became 0 here: nothing to delete.
      co_return tasks::JobOutcome::success({{"deleted", 0}, {"retention_days", 0}});
    }
    const int64_t before = core::unix_ms_now() - retention_days_ * milliseconds(hours(24)).count();
    int64_t deleted = 0;
    for (;;) {
      auto batch = co_await runs_.delete_old_steps(before, kStepsPerBatch,
                                                   core::Deadline::after(seconds(30)));
      if (!batch) co_return tasks::JobOutcome::retry_later(batch.error().message);
      deleted += batch.value();
      if (batch.value() < kStepsPerBatch) break;
      if (!co_await job.checkpoint(0.5, std::to_string(deleted) + " run steps deleted")) {
        co_return tasks::JobOutcome::stopped();
      }
    }
    co_return tasks::JobOutcome::success(
        {{"deleted", deleted}, {"finished_before", before}, {"retention_days", retention_days_}});
  }

 private:
  chat::RunStore runs_;
  const int64_t retention_days_;
};

}  // namespace

void add_maintenance_jobs(tasks::BackgroundTasksComponent& tasks, db::Database& db,
                          const tasks::TaskSettings& settings) {
  tasks.handle("refresh_token_cleanup", std::make_shared<RefreshTokenCleanup>(db));
  tasks::NewJob cleanup;
  cleanup.kind = "refresh_token_cleanup";
  cleanup.max_attempts = 3;
  tasks.schedule({"refresh_token_cleanup", hours(1), cleanup});

  tasks.handle("run_step_cleanup",
               std::make_shared<RunStepCleanup>(db, settings.run_step_retention_days));
  if (settings.run_step_retention_days > 0) {
    tasks::NewJob steps;
    steps.kind = "run_step_cleanup";
    steps.max_attempts = 3;
    tasks.schedule({"run_step_cleanup", kRunStepCleanupEvery, steps});
  }
}

}  // namespace netra::app
