#include "app/maintenance_jobs.hpp"

#include "auth/user_store.hpp"
#include "core/clock.hpp"
#include "tasks/background_tasks_component.hpp"

namespace netra::app {

namespace {

using namespace std::chrono;

// Expired tokens are refused whether they are found or not; a week keeps them for an
// investigation of a stolen one.
constexpr milliseconds kKeepExpiredTokens = hours(24 * 7);
constexpr int64_t kTokensPerBatch = 1000;

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

}  // namespace

void add_maintenance_jobs(tasks::BackgroundTasksComponent& tasks, db::Database& db) {
  tasks.handle("refresh_token_cleanup", std::make_shared<RefreshTokenCleanup>(db));
  tasks::NewJob cleanup;
  cleanup.kind = "refresh_token_cleanup";
  cleanup.max_attempts = 3;
  tasks.schedule({"refresh_token_cleanup", hours(1), cleanup});
}

}  // namespace netra::app
