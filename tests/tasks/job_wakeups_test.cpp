// Background jobs across two instances on one database (SQLite, and PostgreSQL with
// TEST_POSTGRES_URL) and a Redis of the test's own, wired as the service wires them: with an idle
// poll of 10 s, a job queued on instance A (its one worker busy) starts on instance B well within a
// second — whether A's API queued it or A's scheduler did — because A publishes on netra:jobs and
// B's workers, hearing it, look at once.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "core/health_registry.hpp"
#include "job_queue_fixture.hpp"
#include "redis/cluster_wakeups.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"
#include "support/scratch_redis.hpp"
#include "tasks/background_tasks_component.hpp"
#include "telemetry/metrics.hpp"

namespace netra::tasks {
namespace {

namespace asio = boost::asio;

// Which instance ran which job, and how long after it was queued it started.
struct Runs {
  struct Run {
    std::string kind, instance;
    int64_t waited_ms = 0;
  };
  std::mutex mutex;
  std::vector<Run> runs;

  void add(Run run) {
    std::lock_guard lock(mutex);
    runs.push_back(std::move(run));
  }
  std::vector<Run> of(const std::string& kind) {
    std::lock_guard lock(mutex);
    std::vector<Run> out;
    for (const auto& r : runs) {
      if (r.kind == kind) out.push_back(r);
    }
    return out;
  }
};

// Records the run; a `blocker` holds its worker until the instance stops.
class RecordingHandler final : public JobHandler {
 public:
  RecordingHandler(std::string instance, std::shared_ptr<Runs> runs)
      : instance_(std::move(instance)), runs_(std::move(runs)) {}
  asio::awaitable<JobOutcome> run(JobContext& job) override {
    runs_->add({job.job().kind, instance_, core::unix_ms_now() - job.job().created_at});
    if (job.job().kind != "blocker") co_return JobOutcome::success();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!job.should_stop()) {
      timer.expires_after(20ms);
      (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return JobOutcome::stopped();
  }

 private:
  const std::string instance_;
  std::shared_ptr<Runs> runs_;
};

class JobWakeupsTest : public JobQueueTest {
 protected:
  struct Instance {
    std::unique_ptr<db::Database> db;  // each instance has its own connections
    std::shared_ptr<redis::RedisClient> redis;
    std::shared_ptr<redis::ClusterWakeups> wakeups;
    std::shared_ptr<BackgroundTasksComponent> tasks;
  };

  void SetUp() override {
    JobQueueTest::SetUp();
    if (HasFatalFailure()) return;
    redis_ = std::make_unique<testing::ScratchRedis>();
    jobs_ = std::make_unique<JobStore>(*db_, core::unix_ms_now);
  }
  void TearDown() override {
    core::LifecycleContext ctx;
    ctx.timeout = 3s;
    for (auto& i : instances_) {
      if (i.tasks && i.tasks->running()) run(i.tasks->stop(ctx));
      run(i.redis->close());
    }
    for (auto& i : instances_) {
      i.tasks.reset();
      if (i.db) i.db->close_idle();
    }
    instances_.clear();
    JobQueueTest::TearDown();
  }

  // An instance as the service wires it (one worker, a 10 s poll), started; `every` adds a
  // schedule queueing a `scheduled` job that often.
  Instance& start_instance(const std::string& id, std::optional<std::chrono::milliseconds> every) {
    Instance i;
    db::DatabaseSettings settings;
    settings.pool.max_size = 4;
    settings.url = database_->url();
    i.db = db::open_database(settings, offload_);
    redis::RedisSettings redis_settings;
    redis_settings.url = redis_->url();
    i.redis = std::make_shared<redis::RedisClient>(
        redis::client_options(redis_settings).value(),
        std::vector<asio::any_io_executor>{loops_.context(0).get_executor()});
    i.wakeups = redis::ClusterWakeups::create("netra:jobs", id);
    i.wakeups->share_through(i.redis);
    TaskSettings task_settings;
    task_settings.workers = 1;
    task_settings.poll_interval = 10s;
    i.tasks = std::make_shared<BackgroundTasksComponent>(
        BackgroundTasksComponent::make_spec(), *i.db, id, task_settings, metrics_, health_);
    auto handler = std::make_shared<RecordingHandler>(id, runs_);
    for (const char* kind : {"blocker", "test", "scheduled"}) i.tasks->handle(kind, handler);
    if (every) {
      NewJob scheduled;
      scheduled.kind = "scheduled";
      i.tasks->schedule({"scheduled", *every, scheduled});
    }
    i.tasks->announce_through([wakeups = i.wakeups] { wakeups->publish(); });
    i.wakeups->listen([tasks = std::weak_ptr<BackgroundTasksComponent>(i.tasks)] {
      if (auto t = tasks.lock()) t->wake();
    });
    auto opened = run(i.redis->open(core::Deadline::after(5s)));
    EXPECT_FALSE(opened) << opened->message;
    core::LifecycleContext ctx;
    ctx.timeout = 3s;
    auto started = run(i.tasks->start(ctx));
    EXPECT_TRUE(started.is_ok()) << started.message();
    instances_.push_back(std::move(i));
    return instances_.back();
  }

  // Waits up to 15 s for `count` runs of `kind`.
  std::vector<Runs::Run> await_runs(const std::string& kind, size_t count) {
    for (int i = 0; i < 1500 && runs_->of(kind).size() < count; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return runs_->of(kind);
  }

  std::unique_ptr<testing::ScratchRedis> redis_;
  telemetry::Metrics metrics_{"test", "test"};
  core::HealthRegistry health_;
  std::shared_ptr<Runs> runs_ = std::make_shared<Runs>();
  std::deque<Instance> instances_;  // references stay valid as it grows
};

TEST_P(JobWakeupsTest, AJobQueuedOnOneInstanceStartsOnAnotherWellWithinASecond) {
  // A's one worker is kept busy by a job queued before it starts (the oldest, claimed first).
  NewJob blocker;
  blocker.kind = "blocker";
  enqueue(blocker);
  auto& a = start_instance("ins_a", 2s);
  ASSERT_EQ(await_runs("blocker", 1).size(), 1u);
  start_instance("ins_b", std::nullopt);
  // B took what A queued before it was up (at its first look); then it idles for 10 s.
  ASSERT_GE(await_runs("scheduled", 1).size(), 1u);
  const size_t scheduled_before = runs_->of("scheduled").size();
  std::this_thread::sleep_for(500ms);

  NewJob job;
  job.kind = "test";
  auto queued = run(a.tasks->enqueue(job, deadline()));
  ASSERT_TRUE(queued) << queued.error().message;
  auto ran = await_runs("test", 1);
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].instance, "ins_b");
  EXPECT_LT(ran[0].waited_ms, 1000) << "it would have waited for B's next poll, 10 s";

  // The next period of A's schedule (every 2 s): queued by A's scheduler, run by B at once.
  auto scheduled = await_runs("scheduled", scheduled_before + 1);
  ASSERT_GT(scheduled.size(), scheduled_before);
  EXPECT_EQ(scheduled.back().instance, "ins_b");
  EXPECT_LT(scheduled.back().waited_ms, 1000);
  EXPECT_EQ(runs_->of("blocker").size(), 1u);
  EXPECT_EQ(runs_->of("blocker")[0].instance, "ins_a");
}

INSTANTIATE_TEST_SUITE_P(Backends, JobWakeupsTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::tasks
