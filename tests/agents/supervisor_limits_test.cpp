// The supervisor's limits over the real run event sink: a run held at its start occupies its
// slot, so the next waits in the queue and the one after is refused BUSY; one active run per
// thread; one user holds at most max_runs_per_user (TOO_MANY_RUNS), others keep theirs; a queued
// run cancelled ends at once; stop() cancels everything and refuses new runs.
#include <gmock/gmock.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "supervisor_fixture.hpp"

namespace netra::agents {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Polls `done` until it holds or 10 s pass.
template <typename Pred>
bool eventually(Pred done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class SupervisorLimitsTest : public SupervisorTest {
 protected:
  void SetUp() override {
    SupervisorTest::SetUp();
    if (HasFatalFailure()) return;
    gate_ = std::make_unique<FakeGatedEventSink>(*sink_, executor());
  }
  void TearDown() override {
    if (gate_) gate_->open();
    SupervisorTest::TearDown();
    gate_.reset();
  }
  // One run at a time, `queue` more waiting, every event through the gate.
  Supervisor& start_limited(size_t queue) {
    SupervisorOptions options;
    options.max_concurrent_runs = 1;
    options.max_queued_runs = queue;
    return start_supervisor(options, gate_.get());
  }

  // One run held at its start, occupying the only slot, and one waiting behind it.
  struct HeldAndWaiting {
    RunRequest held;
    RunRequest waiting;
  };
  HeldAndWaiting hold_one_queue_one() {
    HeldAndWaiting runs{new_run("how can I cut costs?"), new_run("how can I cut costs?")};
    gate_->hold(runs.held.run_id);
    EXPECT_EQ(submit(runs.held), Admission::started);
    EXPECT_EQ(submit(runs.waiting), Admission::queued);
    return runs;
  }

  std::unique_ptr<FakeGatedEventSink> gate_;
};

TEST_P(SupervisorLimitsTest, OverTheQueueARunIsRefusedBusy) {
  auto& supervisor = start_limited(1);
  const auto [first, second] = hold_one_queue_one();
  const auto third = new_run("how can I cut costs?");
  EXPECT_EQ(supervisor.running(), 1u);
  EXPECT_EQ(supervisor.queued(), 1u);
  EXPECT_EQ(submit(third), Admission::busy);
  EXPECT_THAT(event_trail(third.run_id), ElementsAre("agent_error:BUSY"));
  EXPECT_EQ(run_record(third.run_id).status, chat::RunStatus::failed);
  EXPECT_EQ(run_record(second.run_id).status, chat::RunStatus::queued);

  gate_->open();
  ASSERT_TRUE(delivered_.wait_for_end(first.run_id));
  ASSERT_TRUE(delivered_.wait_for_end(second.run_id));
  EXPECT_EQ(run_record(first.run_id).status, chat::RunStatus::completed);
  EXPECT_EQ(run_record(second.run_id).status, chat::RunStatus::completed);
  EXPECT_EQ(event_trail(second.run_id).front(), "agent_started");
  EXPECT_TRUE(eventually([&] { return supervisor.running() == 0 && supervisor.queued() == 0; }));
}

TEST_P(SupervisorLimitsTest, OneUserCannotTakeEverySlot) {
  SupervisorOptions options;
  options.max_concurrent_runs = 1;
  options.max_queued_runs = 4;
  options.max_runs_per_user = 2;
  auto& supervisor = start_supervisor(options, gate_.get());
  const auto [first, second] = hold_one_queue_one();
  const auto third = new_run("how can I cut costs?");
  EXPECT_EQ(submit(third), Admission::user_busy) << "alice has 2, running and waiting";
  EXPECT_THAT(event_trail(third.run_id), ElementsAre("agent_error:TOO_MANY_RUNS"));
  EXPECT_EQ(run_record(third.run_id).status, chat::RunStatus::failed);
  EXPECT_EQ(supervisor.tally().refused_too_many_runs, 1u);

  // Bob still gets a place in the queue, though the queue has room for alice too.
  const auto bobs = must_run(bob_, must_thread(bob_).id, "how can I cut costs?");
  const RunRequest bob_run{bobs.id, bobs.thread_id, bob_, "how can I cut costs?"};
  EXPECT_EQ(submit(bob_run), Admission::queued);

  // A run of hers that ends (here a queued one, cancelled) gives alice her place back.
  EXPECT_TRUE(supervisor.cancel(second.run_id));
  ASSERT_TRUE(delivered_.wait_for_end(second.run_id));
  const auto fourth = new_run("how can I cut costs?");
  EXPECT_EQ(submit(fourth), Admission::queued);
  const auto fifth = new_run("how can I cut costs?");
  EXPECT_EQ(submit(fifth), Admission::user_busy);

  gate_->open();
  for (const auto& id : {first.run_id, bob_run.run_id, fourth.run_id}) {
    ASSERT_TRUE(delivered_.wait_for_end(id)) << id;
  }
  EXPECT_EQ(run_record(fourth.run_id).status, chat::RunStatus::completed);
  ASSERT_TRUE(eventually([&] { return supervisor.running() == 0 && supervisor.queued() == 0; }));
  // Every run of hers has ended: she has both places again (the gate is open now, so the first
  // may already have ended when the second comes).
  const auto sixth = new_run("how can I cut costs?");
  const auto seventh = new_run("how can I cut costs?");
  EXPECT_NE(submit(sixth), Admission::user_busy);
  EXPECT_NE(submit(seventh), Admission::user_busy);
  EXPECT_EQ(supervisor.tally().refused_too_many_runs, 2u);
  ASSERT_TRUE(delivered_.wait_for_end(sixth.run_id));
  ASSERT_TRUE(delivered_.wait_for_end(seventh.run_id));
  EXPECT_EQ(run_record(seventh.run_id).status, chat::RunStatus::completed);
}

TEST_P(SupervisorLimitsTest, AThreadHasOneActiveRunAtATime) {
  auto& supervisor = start_supervisor({}, gate_.get());
  const auto first = new_run("how can I cut costs?");
  const auto again = new_run("and latency?", first.thread_id);
  gate_->hold(first.run_id);
  EXPECT_EQ(submit(first), Admission::started);
  EXPECT_EQ(submit(again), Admission::thread_busy);
  EXPECT_THAT(event_trail(again.run_id), ElementsAre("agent_error:RUN_ACTIVE"));
  EXPECT_THAT(stored_events(alice_, again.run_id)[0].data["message"].get<std::string>(),
              HasSubstr(first.run_id));
  EXPECT_EQ(run_record(again.run_id).status, chat::RunStatus::failed);
  // Another thread is not held up.
  const auto elsewhere = new_run("how can I cut costs?");
  EXPECT_EQ(submit(elsewhere), Admission::started);
  EXPECT_EQ(submit(elsewhere), Admission::already_known);

  gate_->open();
  ASSERT_TRUE(delivered_.wait_for_end(first.run_id));
  ASSERT_TRUE(eventually([&] { return supervisor.running() == 0; }));
  // Once the thread's run has ended, it takes the next.
  const auto later = new_run("and latency?", first.thread_id);
  EXPECT_EQ(submit(later), Admission::started);
  ASSERT_TRUE(delivered_.wait_for_end(later.run_id));
  EXPECT_EQ(run_record(later.run_id).status, chat::RunStatus::completed);
}

TEST_P(SupervisorLimitsTest, AQueuedRunCancelledEndsAtOnce) {
  auto& supervisor = start_limited(4);
  const auto [first, waiting] = hold_one_queue_one();

  EXPECT_TRUE(supervisor.cancel(waiting.run_id));
  ASSERT_TRUE(delivered_.wait_for_end(waiting.run_id));
  EXPECT_THAT(event_trail(waiting.run_id), ElementsAre("agent_error:CANCELLED"));
  EXPECT_EQ(run_record(waiting.run_id).status, chat::RunStatus::cancelled);
  EXPECT_EQ(supervisor.queued(), 0u);
  EXPECT_FALSE(supervisor.cancel("run_AAAAAAAAAAAAAAAAAAAAAA"));

  gate_->open();
  ASSERT_TRUE(delivered_.wait_for_end(first.run_id));
  EXPECT_EQ(run_record(first.run_id).status, chat::RunStatus::completed);
}

TEST_P(SupervisorLimitsTest, StopCancelsEveryRunAndRefusesNewOnes) {
  auto& supervisor = start_limited(4);
  const auto [first, waiting] = hold_one_queue_one();

  // stop() is queued on the gate's loop before the gate opens, so the held run finds itself
  // cancelled at its first step.
  auto stopped = boost::asio::co_spawn(executor(), supervisor.stop(std::chrono::seconds(10)),
                                       boost::asio::use_future);
  gate_->open();
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(stopped.get(), 0u);

  EXPECT_THAT(event_trail(first.run_id), ElementsAre("agent_started", "agent_error:CANCELLED"));
  EXPECT_EQ(run_record(first.run_id).status, chat::RunStatus::cancelled);
  EXPECT_THAT(event_trail(waiting.run_id), ElementsAre("agent_error:CANCELLED"));
  EXPECT_EQ(run_record(waiting.run_id).status, chat::RunStatus::cancelled);

  const auto late = new_run("how can I cut costs?");
  EXPECT_EQ(submit(late), Admission::stopping);
  EXPECT_THAT(event_trail(late.run_id), ElementsAre("agent_error:AGENT_UNAVAILABLE"));
  EXPECT_EQ(run_record(late.run_id).status, chat::RunStatus::failed);
}

INSTANTIATE_TEST_SUITE_P(Backends, SupervisorLimitsTest, ::testing::ValuesIn(chat::backends()));

}  // namespace
}  // namespace netra::agents
