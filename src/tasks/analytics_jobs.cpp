#include "tasks/analytics_jobs.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "analytics/analytics_component.hpp"
#include "core/retry_policy.hpp"
#include "tasks/background_tasks_component.hpp"
#include "telemetry/logging.hpp"

namespace netra::tasks {

namespace {

namespace asio = boost::asio;
using namespace std::chrono;

constexpr const char* kRetention = "clickhouse_retention";
constexpr const char* kReplay = "outage_replay";

// The safety net of the replay: the instance that buffered events has them replayed itself within
// a probe interval of ClickHouse serving again; this schedule replays what an instance that went
// away left in the buffer, within a minute (1,440 short jobs a day; a job every 15 s would be
// four times as many for a rare case).
constexpr milliseconds kReplayEvery = minutes(1);

auto log() {
  return telemetry::logger(analytics::AnalyticsComponent::kName);
}

tasks::NewJob job_of(const char* kind) {
  tasks::NewJob job;
  job.kind = kind;
  job.max_attempts = 3;
  return job;
}

class ClickHouseRetention final : public tasks::JobHandler {
 public:
  explicit ClickHouseRetention(std::weak_ptr<analytics::AnalyticsComponent> analytics)
      : analytics_(std::move(analytics)) {}

  asio::awaitable<tasks::JobOutcome> run(tasks::JobContext&) override {
    auto analytics = analytics_.lock();
    if (!analytics) co_return tasks::JobOutcome::retry_later("the clickhouse component is gone");
    if (auto why = analytics->not_serving()) co_return tasks::JobOutcome::retry_later(*why);
    auto dropped = co_await analytics->apply_retention();
    if (!dropped) co_return tasks::JobOutcome::retry_later(dropped.error().message);
    co_return tasks::JobOutcome::success({{"dropped", dropped.value()}});
  }

 private:
  std::weak_ptr<analytics::AnalyticsComponent> analytics_;
};

asio::awaitable<void> pause(milliseconds length) {
  asio::steady_timer timer(co_await asio::this_coro::executor, length);
  (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Between two batches of a drain: the job's checkpoint, with the progress the buffer's estimate
// allows.
asio::awaitable<bool> replay_checkpoint(tasks::JobContext& job,
                                        std::shared_ptr<analytics::OutageReplay> replay,
                                        size_t moved) {
  const double left = static_cast<double>(replay->buffered());
  const double done = static_cast<double>(moved);
  const double progress = done + left > 0 ? done / (done + left) : 0;
  co_return co_await job.checkpoint(progress, std::to_string(moved) + " buffered events moved");
}

class OutageReplayJob final : public tasks::JobHandler {
 public:
  OutageReplayJob(std::weak_ptr<analytics::AnalyticsComponent> analytics, tasks::JobStore& jobs)
      : analytics_(std::move(analytics)), jobs_(jobs) {}

  asio::awaitable<tasks::JobOutcome> run(tasks::JobContext& job) override {
    auto analytics = analytics_.lock();
    if (!analytics || !analytics->replay()) {
      co_return tasks::JobOutcome::retry_later("the clickhouse component is gone");
    }
    if (auto why = analytics->not_serving()) {
      // The component queues a replay again when ClickHouse serves (and the schedule does).
      co_return tasks::JobOutcome::success({{"skipped", true}, {"reason", *why}});
    }
    // Instances on one PostgreSQL share the buffer: two drains at once would read the same rows
    // and insert them twice. This job was claimed (committed) before it looks, so of two claimed
    // at once at least one sees the other and gives way. Both may: each looks once more after a
    // pause of random length, and the one that looks later usually finds the other ended (it gave
    // way) and drains; should both give way again, the next replay drains (a minute at most).
    auto other =
        co_await jobs_.other_running(kReplay, job.job().id, core::Deadline::after(seconds(5)));
    if (other && other->has_value()) {
      co_await pause(milliseconds(100 + static_cast<int64_t>(500 * random_())));
      other =
          co_await jobs_.other_running(kReplay, job.job().id, core::Deadline::after(seconds(5)));
    }
    if (!other) co_return tasks::JobOutcome::retry_later(other.error().message);
    if (other->has_value()) {
      co_return tasks::JobOutcome::success({{"skipped", true}, {"running", (*other)->id}});
    }
    auto replay = analytics->replay();
    auto between = [&job, replay](size_t moved) { return replay_checkpoint(job, replay, moved); };
    const auto outcome = co_await replay->drain(between);
    if (outcome.already_running) {
      co_return tasks::JobOutcome::success(
          {{"skipped", true}, {"reason", "a drain was running on this instance"}});
    }
    if (outcome.stopped) co_return tasks::JobOutcome::stopped();
    if (outcome.error) co_return tasks::JobOutcome::retry_later(outcome.error->message);
    co_return tasks::JobOutcome::success({{"moved", outcome.moved}});
  }

 private:
  std::weak_ptr<analytics::AnalyticsComponent> analytics_;
  tasks::JobStore& jobs_;
  core::RandomSource random_ = core::make_random_source();
};

// The component's replay runner: queues an outage_replay job, or answers false for the component
// to drain in place (background jobs are not running here, or the queue failed).
asio::awaitable<bool> queue_replay(tasks::BackgroundTasksComponent* tasks) {
  if (!tasks->running()) {
    log()->info("background jobs are not running here: the outage buffer is replayed in place");
    co_return false;
  }
  auto queued = co_await tasks->enqueue(job_of(kReplay), core::Deadline::after(seconds(2)));
  if (!queued) {
    log()->warn("could not queue the outage replay ({}); the buffer is replayed in place",
                queued.error().message);
    co_return false;
  }
  co_return true;
}

}  // namespace

void add_analytics_jobs(tasks::BackgroundTasksComponent& tasks,
                        const std::shared_ptr<analytics::AnalyticsComponent>& analytics) {
  if (!analytics->has_clickhouse()) return;
  tasks.handle(kRetention, std::make_shared<ClickHouseRetention>(analytics));
  tasks.schedule({kRetention, analytics->settings().retention_interval, job_of(kRetention)});
  tasks.handle(kReplay, std::make_shared<OutageReplayJob>(analytics, tasks.jobs()));
  tasks.schedule({kReplay, kReplayEvery, job_of(kReplay)});
  analytics->replay_through([tasks = &tasks] { return queue_replay(tasks); });
}

}  // namespace netra::tasks
