// The workers over the real queue (SQLite, and PostgreSQL with TEST_POSTGRES_URL): a job runs to
// its result with its progress recorded; a failing one is retried with backoff and ends dead with
// its error; a cancel stops a running job within one chunk; stopping puts a running job back in
// the queue without spending its attempt; a wake starts a job before the next poll; two
// instances' workers racing on 100 jobs run each exactly once. The handlers are the tests' own.
#include "tasks/job_workers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <map>
#include <thread>

#include "job_queue_fixture.hpp"

namespace netra::tasks {
namespace {

using Body = std::function<boost::asio::awaitable<JobOutcome>(JobContext&)>;

// A handler whose body is the test's.
class TestHandler final : public JobHandler {
 public:
  explicit TestHandler(Body body) : body_(std::move(body)) {}
  boost::asio::awaitable<JobOutcome> run(JobContext& job) override { return body_(job); }

 private:
  Body body_;
};

boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds pause) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, pause);
  (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

class JobWorkersTest : public JobQueueTest {
 protected:
  void SetUp() override {
    JobQueueTest::SetUp();
    // The workers' statements read the wall clock; so does the store.
    jobs_ = std::make_unique<JobStore>(*db_, core::unix_ms_now);
  }
  void TearDown() override {
    for (auto& w : workers_) run(w->stop(2s));
    workers_.clear();
    JobQueueTest::TearDown();
  }
  std::shared_ptr<JobWorkers> start_workers(const std::string& instance, Body body,
                                            WorkerOptions options = fast(),
                                            JobWorkers::Observer observer = {}) {
    auto workers = std::make_shared<JobWorkers>(*jobs_, instance, options);
    workers->handle("test", std::make_shared<TestHandler>(std::move(body)));
    workers->observe(std::move(observer));
    workers->start(loops_.context(workers_.size() % 2).get_executor());
    workers_.push_back(workers);
    return workers;
  }
  static WorkerOptions fast() {
    WorkerOptions options;
    options.poll_interval = 20ms;
    options.lease = 3s;
    options.retry = {5, 10ms, 20ms};
    return options;
  }
  Job queue(int64_t max_attempts = 5, nlohmann::json payload = nlohmann::json::object()) {
    NewJob job;
    job.kind = "test";
    job.user_id = "usr_alice";
    job.payload = std::move(payload);
    job.max_attempts = max_attempts;
    return enqueue(job);
  }
  // Waits up to 10 s for the job to reach `state`.
  Job await_state(const std::string& id, JobState state) {
    for (int i = 0; i < 1000; ++i) {
      auto job = get("usr_alice", id);
      if (job.state == state) return job;
      std::this_thread::sleep_for(10ms);
    }
    auto job = get("usr_alice", id);
    ADD_FAILURE() << "job " << id << " is " << to_string(job.state) << ", not " << to_string(state);
    return job;
  }
  // The tally's field after up to 2 s: the workers count an outcome after the store recorded it,
  // so a test that saw the job's new state may look before the count.
  static uint64_t settled_count(const JobWorkers& workers, uint64_t JobWorkers::Tally::*field,
                                uint64_t expected) {
    for (int i = 0; i < 200 && workers.tally().*field < expected; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return workers.tally().*field;
  }

  std::vector<std::shared_ptr<JobWorkers>> workers_;
};

TEST_P(JobWorkersTest, AJobRunsToItsResultWithItsProgressRecorded) {
  std::mutex mutex;
  std::vector<std::string> observed;
  auto observer = [&](const std::string& kind, const std::string& outcome, double seconds) {
    std::lock_guard lock(mutex);
    observed.push_back(kind + " " + outcome + (seconds >= 0 ? "" : " in negative time"));
  };
  auto body = [](JobContext& job) -> boost::asio::awaitable<JobOutcome> {
    for (int chunk = 1; chunk <= 4; ++chunk) {
      if (!co_await job.checkpoint(chunk / 4.0, "chunk " + std::to_string(chunk))) {
        co_return JobOutcome::stopped();
      }
    }
    co_return JobOutcome::success({{"events", job.job().payload["events"]}});
  };
  auto workers = start_workers("ins_a", body, fast(), observer);
  const auto made = queue(5, {{"events", 40}});
  const auto done = await_state(made.id, JobState::succeeded);
  EXPECT_EQ(done.result, nlohmann::json({{"events", 40}}));
  EXPECT_EQ(done.message, "chunk 4");
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(settled_count(*workers, &JobWorkers::Tally::succeeded, 1), 1u);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(mutex);
      if (!observed.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(observed, std::vector<std::string>{"test succeeded"});
}

TEST_P(JobWorkersTest, AFailingJobIsRetriedWithBackoffAndEndsDeadWithItsError) {
  std::atomic<int> tries{0};
  auto workers = start_workers("ins_a", [&](JobContext& job) -> boost::asio::awaitable<JobOutcome> {
    if (job.job().payload.contains("template")) co_return JobOutcome::failure("unknown template");
    if (job.job().payload.contains("throw")) throw std::runtime_error("a bug");
    ++tries;
    co_return JobOutcome::retry_later("the store said no (" + std::to_string(tries.load()) + ")");
  });
  const auto made = queue(3);
  const auto dead = await_state(made.id, JobState::dead);
  EXPECT_EQ(tries.load(), 3);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.error, "the store said no (3)");
  EXPECT_EQ(settled_count(*workers, &JobWorkers::Tally::dead, 1), 1u);
  EXPECT_EQ(workers->tally().retried, 2u);

  // A handler that refuses the payload fails the job at once; one that throws is retried.
  const auto refused = await_state(queue(3, {{"template", "nope"}}).id, JobState::failed);
  EXPECT_EQ(refused.attempts, 1);
  EXPECT_EQ(refused.error, "unknown template");
  const auto thrown = await_state(queue(2, {{"throw", true}}).id, JobState::dead);
  EXPECT_EQ(thrown.attempts, 2);
  EXPECT_EQ(thrown.error, "the handler threw: a bug");
}

TEST_P(JobWorkersTest, ACancelStopsARunningJobWithinOneChunk) {
  std::atomic<int> chunks{0};
  std::atomic<int> chunks_when_cancelled{-1};
  start_workers("ins_a", [&](JobContext& job) -> boost::asio::awaitable<JobOutcome> {
    for (;;) {
      co_await sleep_for(20ms);  // one chunk of work
      ++chunks;
      if (!co_await job.checkpoint(0.1, "working")) co_return JobOutcome::stopped();
    }
  });
  const auto made = queue();
  await_state(made.id, JobState::running);
  while (chunks.load() < 3) std::this_thread::sleep_for(5ms);
  auto asked = run(jobs_->cancel_for("usr_alice", made.id, deadline()));
  ASSERT_TRUE(asked && asked->has_value());
  chunks_when_cancelled = chunks.load();
  const auto cancelled = await_state(made.id, JobState::cancelled);
  EXPECT_LE(chunks.load() - chunks_when_cancelled.load(), 1) << "more than one chunk after it";
  EXPECT_EQ(cancelled.error, "cancelled by its owner");
}

TEST_P(JobWorkersTest, StoppingPutsARunningJobBackInTheQueueWithoutSpendingItsAttempt) {
  std::atomic<bool> started{false};
  auto workers = start_workers("ins_a", [&](JobContext& job) -> boost::asio::awaitable<JobOutcome> {
    started = true;
    while (co_await job.checkpoint(0.5, "working")) co_await sleep_for(10ms);
    co_return JobOutcome::stopped();
  });
  const auto made = queue(1);
  while (!started) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(run(workers->stop(5s)), 0u) << "the job did not stop within the grace";
  auto released = get("usr_alice", made.id);
  EXPECT_EQ(released.state, JobState::queued);
  EXPECT_EQ(released.attempts, 0) << "the shutdown spent no attempt";
  EXPECT_FALSE(released.lease_owner);
  EXPECT_EQ(workers->tally().released, 1u);
  // The next instance resumes it.
  start_workers("ins_b", [&](JobContext&) -> boost::asio::awaitable<JobOutcome> {
    co_return JobOutcome::success();
  });
  EXPECT_EQ(await_state(made.id, JobState::succeeded).lease_owner, std::nullopt);
}

TEST_P(JobWorkersTest, AWakeStartsAJobBeforeTheNextPoll) {
  WorkerOptions slow = fast();
  slow.poll_interval = 30s;
  std::atomic<bool> ran{false};
  auto workers = start_workers(
      "ins_a",
      [&](JobContext&) -> boost::asio::awaitable<JobOutcome> {
        ran = true;
        co_return JobOutcome::success();
      },
      slow);
  std::this_thread::sleep_for(100ms);  // the workers are idle now, for 30 s
  const auto made = queue();
  const auto woken = std::chrono::steady_clock::now();
  workers->wake();
  await_state(made.id, JobState::succeeded);
  EXPECT_LT(std::chrono::steady_clock::now() - woken, 2s);
}

TEST_P(JobWorkersTest, TwoInstancesRacingOnAHundredJobsRunEachExactlyOnce) {
  std::mutex mutex;
  std::map<std::string, int> runs;
  auto body = [&](JobContext& job) -> boost::asio::awaitable<JobOutcome> {
    {
      std::lock_guard lock(mutex);
      ++runs[job.job().id];
    }
    co_return JobOutcome::success();
  };
  WorkerOptions four = fast();
  four.concurrency = 4;
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(queue().id);
  start_workers("ins_a", body, four);
  start_workers("ins_b", body, four);
  for (const auto& id : ids) await_state(id, JobState::succeeded);
  std::lock_guard lock(mutex);
  EXPECT_EQ(runs.size(), 100u);
  for (const auto& [id, times] : runs) EXPECT_EQ(times, 1) << id;
}

INSTANTIATE_TEST_SUITE_P(Backends, JobWorkersTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::tasks
