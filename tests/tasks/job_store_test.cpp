// The durable job queue on every backend the environment provides (SQLite always, PostgreSQL with
// TEST_POSTGRES_URL), with the same assertions: an owner sees only their jobs and an idempotency
// key makes one job; a claim holds a job under a lease, another worker takes it over only once the
// lease expired, and a worker that lost its lease can no longer end it; failures retry until the
// job is dead; cancellation, release at shutdown; another running job of a kind is seen while its
// lease lives; four workers racing on 100 jobs run each once; requests racing on an owner's limit
// of active jobs never pass it together.
#include "tasks/job_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <map>

#include "job_queue_fixture.hpp"

namespace netra::tasks {
namespace {

using namespace std::chrono_literals;

using JobStoreTest = JobQueueTest;

TEST_P(JobStoreTest, AnOwnerSeesOnlyTheirJobsAndAKeyMakesOneJob) {
  const auto first = enqueue(synthetic("usr_alice", "gen-1"));
  EXPECT_EQ(first.state, JobState::queued);
  EXPECT_EQ(first.attempts, 0);
  EXPECT_EQ(first.run_at, kStart);
  EXPECT_EQ(first.payload["events"], 1000);
  auto again = run(jobs_->enqueue(synthetic("usr_alice", "gen-1"), deadline()));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->job.id, first.id) << "a retried POST finds the job it made";
  EXPECT_NE(enqueue(synthetic("usr_bob", "gen-1")).id, first.id) << "keys are per owner";
  enqueue(synthetic("usr_alice"));

  auto bobs_view = run(jobs_->get_for("usr_bob", first.id, deadline()));
  ASSERT_TRUE(bobs_view);
  EXPECT_FALSE(bobs_view->has_value()) << "another owner's job does not exist for bob";
  auto listed =
      run(jobs_->list_for("usr_alice", "synthetic_data", JobState::queued, 10, deadline()));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 2u);
  auto none = run(jobs_->list_for("usr_alice", "other_kind", std::nullopt, 10, deadline()));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(run(jobs_->active_of("usr_alice", "synthetic_data", deadline())).value(), 2);
  EXPECT_EQ(run(jobs_->active_of("usr_bob", "synthetic_data", deadline())).value(), 1);
}

TEST_P(JobStoreTest, AClaimHoldsAJobUnderALeaseUntilItsWorkerEndsIt) {
  NewJob later = synthetic("usr_alice");
  later.run_at = kStart + 60'000;
  const auto waiting = enqueue(later);
  const auto ready = enqueue(synthetic("usr_alice"));
  auto claimed = claim("worker-a");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, ready.id) << "a job whose run_at has not come waits";
  EXPECT_EQ(claimed->state, JobState::running);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->lease_owner, "worker-a");
  EXPECT_EQ(claimed->lease_expires_at, kStart + 30'000);
  EXPECT_FALSE(claim("worker-b")) << "nothing else is ready";

  at(kStart + 1000);
  auto beat = run(jobs_->heartbeat(ready.id, "worker-a", 30s, 0.5, "half way", deadline()));
  ASSERT_TRUE(beat) << beat.error().message;
  EXPECT_TRUE(beat->held);
  EXPECT_FALSE(beat->cancel_requested);
  EXPECT_DOUBLE_EQ(get("usr_alice", ready.id).progress, 0.5);
  EXPECT_EQ(get("usr_alice", ready.id).message, "half way");
  EXPECT_FALSE(run(jobs_->succeed(ready.id, "worker-b", {}, deadline())).value())
      << "only the lease holder ends a job";
  EXPECT_TRUE(run(jobs_->succeed(ready.id, "worker-a", {{"events", 1000}}, deadline())).value());
  const auto done = get("usr_alice", ready.id);
  EXPECT_EQ(done.state, JobState::succeeded);
  EXPECT_EQ(done.result, nlohmann::json({{"events", 1000}}));
  EXPECT_EQ(done.progress, 1);
  EXPECT_EQ(done.finished_at, kStart + 1000);
  EXPECT_FALSE(done.lease_owner);
  EXPECT_FALSE(run(jobs_->heartbeat(ready.id, "worker-a", 30s, 1, "", deadline()))->held);

  at(kStart + 60'000);
  auto woke = claim("worker-b");
  ASSERT_TRUE(woke);
  EXPECT_EQ(woke->id, waiting.id);
}

TEST_P(JobStoreTest, AnExpiredLeaseIsTakenOverAndItsFormerHolderCanNoLongerEndIt) {
  const auto job = enqueue(synthetic("usr_alice"));
  ASSERT_TRUE(claim("worker-a", 10s));
  at(kStart + 9'000);
  EXPECT_FALSE(claim("worker-b")) << "the lease still holds";
  at(kStart + 10'001);
  auto taken = claim("worker-b");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, job.id);
  EXPECT_EQ(taken->attempts, 2);
  EXPECT_EQ(taken->lease_owner, "worker-b");
  EXPECT_EQ(taken->started_at, kStart) << "started when it was first claimed";
  EXPECT_FALSE(run(jobs_->heartbeat(job.id, "worker-a", 10s, 0.9, "", deadline()))->held);
  EXPECT_FALSE(run(jobs_->succeed(job.id, "worker-a", {}, deadline())).value());
  EXPECT_TRUE(run(jobs_->succeed(job.id, "worker-b", {}, deadline())).value());
}

TEST_P(JobStoreTest, AFailingJobRetriesUntilItIsDeadWithItsError) {
  NewJob job = synthetic("usr_alice");
  job.max_attempts = 2;
  const auto made = enqueue(job);
  ASSERT_TRUE(claim("worker-a"));
  EXPECT_TRUE(
      run(jobs_->fail(made.id, "worker-a", "store down", kStart + 5'000, deadline())).value());
  auto queued = get("usr_alice", made.id);
  EXPECT_EQ(queued.state, JobState::queued);
  EXPECT_EQ(queued.error, "store down");
  EXPECT_FALSE(claim("worker-a")) << "not before its retry time";
  at(kStart + 5'000);
  auto second = claim("worker-a");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_TRUE(run(jobs_->fail(made.id, "worker-a", "store still down", kStart + 9'000, deadline()))
                  .value());
  const auto dead = get("usr_alice", made.id);
  EXPECT_EQ(dead.state, JobState::dead) << "no attempt left";
  EXPECT_EQ(dead.error, "store still down");
  at(kStart + 9'000);
  EXPECT_FALSE(claim("worker-a"));

  // A failure that must not retry ends it `failed`; a vanished worker's last attempt, `dead`.
  const auto bad = enqueue(synthetic("usr_alice"));
  ASSERT_TRUE(claim("worker-a"));
  EXPECT_TRUE(
      run(jobs_->fail(bad.id, "worker-a", "unknown template", std::nullopt, deadline())).value());
  EXPECT_EQ(get("usr_alice", bad.id).state, JobState::failed);
  NewJob once = synthetic("usr_alice");
  once.max_attempts = 1;
  const auto vanished = enqueue(once);
  ASSERT_TRUE(claim("worker-a", 1s));
  at(kStart + 11'000);
  EXPECT_FALSE(claim("worker-b"));
  EXPECT_EQ(run(jobs_->settle_expired(deadline())).value(), 1);
  EXPECT_EQ(get("usr_alice", vanished.id).state, JobState::dead);
  EXPECT_EQ(get("usr_alice", vanished.id).error, "its instance stopped during its last attempt");
}

TEST_P(JobStoreTest, CancellingEndsAQueuedJobAtOnceAndAsksARunningOneToStop) {
  const auto queued = enqueue(synthetic("usr_alice"));
  auto not_bobs = run(jobs_->cancel_for("usr_bob", queued.id, deadline()));
  ASSERT_TRUE(not_bobs);
  EXPECT_FALSE(not_bobs->has_value());
  EXPECT_EQ(get("usr_alice", queued.id).state, JobState::queued) << "bob cannot cancel it";
  auto cancelled = run(jobs_->cancel_for("usr_alice", queued.id, deadline()));
  ASSERT_TRUE(cancelled && cancelled->has_value());
  EXPECT_EQ((*cancelled)->state, JobState::cancelled);
  EXPECT_FALSE(claim("worker-a"));

  const auto running = enqueue(synthetic("usr_alice"));
  ASSERT_TRUE(claim("worker-a", 5s));
  auto asked = run(jobs_->cancel_for("usr_alice", running.id, deadline()));
  ASSERT_TRUE(asked && asked->has_value());
  EXPECT_EQ((*asked)->state, JobState::running);
  EXPECT_TRUE((*asked)->cancel_requested);
  auto beat = run(jobs_->heartbeat(running.id, "worker-a", 5s, 0.3, "", deadline()));
  EXPECT_TRUE(beat->held);
  EXPECT_TRUE(beat->cancel_requested) << "the worker hears it at its next heartbeat";
  EXPECT_TRUE(run(jobs_->cancelled(running.id, "worker-a", deadline())).value());
  EXPECT_EQ(get("usr_alice", running.id).state, JobState::cancelled);

  // Its worker gone while it was being cancelled: no claim runs it again; the settling ends it.
  const auto orphan = enqueue(synthetic("usr_alice"));
  ASSERT_TRUE(claim("worker-a", 1s));
  run(jobs_->cancel_for("usr_alice", orphan.id, deadline()));
  at(kStart + 2'000);
  EXPECT_FALSE(claim("worker-b"));
  EXPECT_EQ(run(jobs_->settle_expired(deadline())).value(), 1);
  EXPECT_EQ(get("usr_alice", orphan.id).state, JobState::cancelled);
}

TEST_P(JobStoreTest, AReleasedJobGoesBackToTheQueueWithoutSpendingAnAttempt) {
  NewJob job = synthetic("usr_alice");
  job.max_attempts = 1;
  const auto made = enqueue(job);
  ASSERT_TRUE(claim("worker-a"));
  EXPECT_TRUE(run(jobs_->release(made.id, "worker-a", deadline())).value());
  auto resumed = claim("worker-b");
  ASSERT_TRUE(resumed) << "its one attempt was not spent by the shutdown";
  EXPECT_EQ(resumed->attempts, 1);
  EXPECT_EQ(resumed->lease_owner, "worker-b");
}

TEST_P(JobStoreTest, OtherRunningFindsAnotherJobOfTheKindHeldUnderALiveLease) {
  NewJob exclusive;
  exclusive.kind = "outage_replay";
  NewJob other_kind;
  other_kind.kind = "refresh_token_cleanup";
  const auto unrelated = enqueue(other_kind);
  at(kStart + 1);
  const auto first = enqueue(exclusive);
  at(kStart + 2);
  const auto second = enqueue(exclusive);
  at(kStart + 3);
  enqueue(exclusive);  // stays queued: not running, not counted
  auto none = [&](const std::string& id) {
    auto found = run(jobs_->other_running("outage_replay", id, deadline()));
    if (!found) throw std::runtime_error(found.error().message);
    return !found->has_value();
  };
  auto other = [&](const std::string& id) {
    auto found = run(jobs_->other_running("outage_replay", id, deadline()));
    if (!found || !found->has_value()) throw std::runtime_error("no other running job");
    return (*found)->id;
  };

  at(kStart + 10);
  ASSERT_EQ(claim("worker-c", 60s)->id, unrelated.id);
  ASSERT_EQ(claim("worker-a", 10s)->id, first.id);
  EXPECT_TRUE(none(first.id)) << "only itself runs of its kind; the queued one does not count";
  ASSERT_EQ(claim("worker-b", 30s)->id, second.id);
  EXPECT_EQ(other(second.id), first.id);
  EXPECT_EQ(other(first.id), second.id) << "both see each other: both give way";

  at(kStart + 10 + 10'001);  // worker-a's lease expired: its instance died
  EXPECT_TRUE(none(second.id)) << "an expired lease is no one's";
  EXPECT_EQ(other(first.id), second.id);
  at(kStart + 10 + 20'000);
  EXPECT_TRUE(run(jobs_->succeed(second.id, "worker-b", {}, deadline())).value());
  EXPECT_TRUE(none(first.id)) << "an ended job is no one's either";
}

TEST_P(JobStoreTest, FourWorkersRacingOnAHundredJobsRunEachExactlyOnce) {
  for (int i = 0; i < 100; ++i) enqueue(synthetic(i % 2 ? "usr_alice" : "usr_bob"));
  // Each worker claims and ends jobs until none is left; claims run concurrently on two loops.
  auto worker = [this](std::string name) -> boost::asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> ran;
    for (;;) {
      auto claimed = co_await jobs_->claim(name, 30s, deadline());
      if (!claimed) throw std::runtime_error(claimed.error().message);
      if (!claimed->has_value()) co_return ran;
      const auto id = (*claimed)->id;
      auto ended = co_await jobs_->succeed(id, name, {}, deadline());
      if (!ended || !ended.value()) throw std::runtime_error("could not end " + id);
      ran.push_back(id);
    }
  };
  std::vector<std::future<std::vector<std::string>>> workers;
  for (int w = 0; w < 4; ++w) {
    workers.push_back(boost::asio::co_spawn(loops_.context(w % 2).get_executor(),
                                            worker("worker-" + std::to_string(w)),
                                            boost::asio::use_future));
  }
  std::map<std::string, int> runs;
  size_t busy_workers = 0;
  for (auto& w : workers) {
    auto ran = w.get();
    busy_workers += ran.empty() ? 0 : 1;
    for (const auto& id : ran) ++runs[id];
  }
  EXPECT_EQ(runs.size(), 100u);
  for (const auto& [id, times] : runs) EXPECT_EQ(times, 1) << id;
  auto counts = run(jobs_->counts(deadline()));
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->front().state, JobState::succeeded);
  EXPECT_EQ(counts->front().jobs, 100);
  EXPECT_FALSE(run(jobs_->oldest_waiting(deadline())).value());
}

// The named function takes its arguments by value (GCC 12 and capturing coroutine lambdas).
boost::asio::awaitable<db::DbResult<JobStore::Enqueued>> enqueue_within(JobStore& jobs, NewJob job,
                                                                        int64_t max_active) {
  co_return co_await jobs.enqueue_within(std::move(job), max_active, core::Deadline::after(10s));
}

TEST_P(JobStoreTest, RequestsRacingOnTheOwnersLimitNeverPassItTogether) {
  std::vector<std::future<db::DbResult<JobStore::Enqueued>>> racing;
  for (int i = 0; i < 12; ++i) {
    racing.push_back(boost::asio::co_spawn(loops_.context(i % 2).get_executor(),
                                           enqueue_within(*jobs_, synthetic("usr_alice"), 3),
                                           boost::asio::use_future));
  }
  int created = 0, refused = 0;
  for (auto& r : racing) {
    auto answer = r.get();
    ASSERT_TRUE(answer) << answer.error().message;
    if (answer->created) ++created;
    if (answer->over_limit) {
      ++refused;
      EXPECT_EQ(*answer->over_limit, 3);
    }
  }
  EXPECT_EQ(created, 3);
  EXPECT_EQ(refused, 9);
  EXPECT_EQ(run(jobs_->active_of("usr_alice", "synthetic_data", deadline())).value(), 3);
  // At the limit, a retried request with its key still finds its job; bob has a limit of his own.
  const auto keyed = enqueue(synthetic("usr_alice", "gen-9"));
  auto again = run(enqueue_within(*jobs_, synthetic("usr_alice", "gen-9"), 3));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_FALSE(again->over_limit);
  EXPECT_EQ(again->job.id, keyed.id);
  EXPECT_TRUE(run(enqueue_within(*jobs_, synthetic("usr_bob"), 3)).value().created);
  // Ended jobs do not count.
  auto claimed = claim("worker-a");
  ASSERT_TRUE(claimed);
  ASSERT_TRUE(run(jobs_->succeed(claimed->id, "worker-a", {}, deadline())).value());
  EXPECT_EQ(run(enqueue_within(*jobs_, synthetic("usr_alice"), 4)).value().created,
            claimed->user_id == "usr_alice");
}

TEST_P(JobStoreTest, RetentionDeletesOnlyJobsThatEndedBeforeItsTime) {
  // Queued a millisecond apart: claimed in that order.
  const auto done = enqueue(synthetic("usr_alice"));
  at(kStart + 1);
  const auto gave_up = enqueue(synthetic("usr_alice"));
  at(kStart + 2);
  const auto waiting = enqueue(synthetic("usr_bob"));
  at(kStart + 3);
  const auto running = enqueue(synthetic("usr_bob"));
  ASSERT_EQ(claim("w")->id, done.id);
  ASSERT_TRUE(run(jobs_->succeed(done.id, "w", {}, deadline())).value());
  ASSERT_EQ(claim("w")->id, gave_up.id);
  ASSERT_TRUE(run(jobs_->fail(gave_up.id, "w", "no", std::nullopt, deadline())).value());
  at(kStart + 10'000);
  ASSERT_EQ(claim("w")->id, waiting.id);
  ASSERT_TRUE(run(jobs_->succeed(waiting.id, "w", {}, deadline())).value());  // ended at +10 s
  // Ended before kStart + 5 s: the first two; one at a time by the limit.
  EXPECT_EQ(run(jobs_->delete_finished(kStart + 5'000, 1, deadline())).value(), 1);
  EXPECT_EQ(run(jobs_->delete_finished(kStart + 5'000, 1000, deadline())).value(), 1);
  EXPECT_EQ(run(jobs_->delete_finished(kStart + 5'000, 1000, deadline())).value(), 0);
  auto left = run(jobs_->counts(deadline()));
  ASSERT_TRUE(left);
  int64_t total = 0;
  for (const auto& c : *left) total += c.jobs;
  EXPECT_EQ(total, 2) << "the job that ended later and the queued one stay";
  EXPECT_EQ(get("usr_bob", running.id).state, JobState::queued);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobStoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::tasks
