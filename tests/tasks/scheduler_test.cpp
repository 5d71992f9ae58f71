// Recurring schedules over the real queue (SQLite, and PostgreSQL with TEST_POSTGRES_URL): with two
// instances' schedulers up, a schedule queues its job once per period, not once per instance; a
// changed period replaces the old one without moving the next run.
#include "tasks/scheduler.hpp"

#include <thread>

#include "job_queue_fixture.hpp"

namespace netra::tasks {
namespace {

class SchedulerTest : public JobQueueTest {
 protected:
  void SetUp() override {
    JobQueueTest::SetUp();
    jobs_ = std::make_unique<JobStore>(*db_, core::unix_ms_now);
    schedules_ = std::make_unique<ScheduleStore>(*db_, core::unix_ms_now);
  }
  void TearDown() override {
    for (auto& s : schedulers_) run(s->stop());
    schedulers_.clear();
    schedules_.reset();
    JobQueueTest::TearDown();
  }
  std::shared_ptr<Scheduler> scheduler(const std::string& instance,
                                       std::chrono::milliseconds every) {
    auto s = std::make_shared<Scheduler>(
        *schedules_, *jobs_, instance, [this] { ++wakes_; }, 20ms);
    NewJob job;
    job.kind = "cleanup";
    s->add({"cleanup", every, job});
    schedulers_.push_back(s);
    return s;
  }
  int64_t queued_cleanups() {
    auto counts = run(jobs_->counts(deadline()));
    if (!counts) throw std::runtime_error(counts.error().message);
    int64_t total = 0;
    for (const auto& c : *counts) total += c.kind == "cleanup" ? c.jobs : 0;
    return total;
  }

  std::unique_ptr<ScheduleStore> schedules_;
  std::vector<std::shared_ptr<Scheduler>> schedulers_;
  std::atomic<int> wakes_{0};
};

TEST_P(SchedulerTest, TwoInstancesQueueAScheduleOncePerPeriod) {
  auto on_a = scheduler("ins_a", 400ms);
  auto on_b = scheduler("ins_b", 400ms);
  const auto began = std::chrono::steady_clock::now();
  on_a->start(loops_.context(0).get_executor());
  on_b->start(loops_.context(1).get_executor());
  std::this_thread::sleep_until(began + 1900ms);  // periods begin at 0, 0.4, 0.8, 1.2, 1.6 s
  run(on_a->stop());
  run(on_b->stop());
  const auto queued = queued_cleanups();
  EXPECT_GE(queued, 3) << "the schedule ran too seldom";
  EXPECT_LE(queued, 5) << "a period was run by both instances";
  EXPECT_EQ(static_cast<int64_t>(on_a->jobs_queued() + on_b->jobs_queued()), queued);
  EXPECT_EQ(wakes_.load(), queued) << "each queued job wakes the workers";
}

TEST_P(SchedulerTest, ADeclaredPeriodReplacesTheOldOneAndKeepsTheNextRun) {
  ASSERT_TRUE(run(schedules_->declare("cleanup", std::chrono::hours(1), deadline())));
  EXPECT_TRUE(run(schedules_->claim_due("cleanup", "ins_a", deadline())).value()) << "due at once";
  EXPECT_FALSE(run(schedules_->claim_due("cleanup", "ins_b", deadline())).value())
      << "this period is ins_a's";
  ASSERT_TRUE(run(schedules_->declare("cleanup", 10ms, deadline())));
  EXPECT_FALSE(run(schedules_->claim_due("cleanup", "ins_b", deadline())).value())
      << "the next run stays an hour away";
  auto period = run(db_->query("SELECT every_ms, last_owner FROM job_schedules", {}, deadline()));
  ASSERT_TRUE(period);
  EXPECT_EQ(period->rows.at(0).int64(0), 10);
  EXPECT_EQ(period->rows.at(0).text(1), "ins_a");
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::tasks
