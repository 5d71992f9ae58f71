// Runs and their steps on every backend the environment provides, with the same assertions: the
// status moves, steps numbered 1..N even when appends race, the repair after a crash, and the
// retention of steps.
#include "chat/run_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "chat/chat_validation.hpp"
#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

using RunStoreTest = ChatStoreTest;

// Appends `count` steps one after another; returns the seqs it was given (0 for a failure).
boost::asio::awaitable<std::vector<int64_t>> append_in_turn(RunStore& runs, std::string run_id,
                                                            int writer, int count) {
  std::vector<int64_t> seqs;
  for (int i = 0; i < count; ++i) {
    nlohmann::json payload = {{"writer", writer}, {"i", i}};
    auto seq = co_await runs.append_step(run_id, "tool_call", std::move(payload),
                                         core::Deadline::after(std::chrono::seconds(20)));
    seqs.push_back(seq ? seq.value() : 0);
  }
  co_return seqs;
}

TEST_P(RunStoreTest, ARunMovesThroughItsStatusesAndKeepsItsSteps) {
  const auto thread = must_thread(alice_);
  at(kStart + 10);
  auto created = run(chat_->runs.create(alice_, thread.id, "Cut my spend by 20%", deadline()));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(check_id(created->id, IdKind::run, "id")) << created->id;
  EXPECT_EQ(created->status, RunStatus::queued);
  EXPECT_EQ(created->thread_id, thread.id);
  EXPECT_EQ(created->user_id, alice_);
  EXPECT_EQ(created->created_at, kStart + 10);

  auto active = run(chat_->runs.active_run(alice_, thread.id, deadline()));
  ASSERT_TRUE(active) << active.error().message;
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, created->id);

  at(kStart + 20);
  auto started = run(chat_->runs.set_status(created->id, RunStatus::running, {}, deadline()));
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->status, RunStatus::running);
  EXPECT_EQ(started->started_at, kStart + 20);
  EXPECT_FALSE(started->finished_at.has_value());

  for (const char* type : {"agent_started", "tool_call", "agent_completed"}) {
    nlohmann::json payload = {{"agent", "triage"}, {"type", type}};
    auto seq = run(chat_->runs.append_step(created->id, type, payload, deadline()));
    ASSERT_TRUE(seq) << seq.error().message;
  }
  at(kStart + 30);
  auto done = run(chat_->runs.set_status(created->id, RunStatus::completed, {}, deadline()));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, RunStatus::completed);
  EXPECT_EQ(done->started_at, kStart + 20);
  EXPECT_EQ(done->finished_at, kStart + 30);
  EXPECT_FALSE(done->error.has_value());

  auto read = run(chat_->runs.get(alice_, created->id, deadline()));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->run.status, RunStatus::completed);
  EXPECT_EQ(read->run.user_request, "Cut my spend by 20%");
  ASSERT_EQ(read->steps.size(), 3u);
  EXPECT_EQ(read->steps[0].seq, 1);
  EXPECT_EQ(read->steps[0].type, "agent_started");
  EXPECT_EQ(read->steps[1].seq, 2);
  EXPECT_EQ(read->steps[1].payload["type"], "tool_call");
  EXPECT_EQ(read->steps[2].seq, 3);
  EXPECT_EQ(read->steps[2].run_id, created->id);
  auto after_first = run(chat_->runs.steps(created->id, deadline(), 1));
  ASSERT_TRUE(after_first);
  ASSERT_EQ(after_first->size(), 2u);
  EXPECT_EQ(after_first->front().seq, 2);

  EXPECT_FALSE(run(chat_->runs.active_run(alice_, thread.id, deadline()))->has_value());
  auto again = run(chat_->runs.set_status(created->id, RunStatus::running, {}, deadline()));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ChatErrorCode::conflict) << "a finished run stays finished";
  auto requeued = run(chat_->runs.set_status(created->id, RunStatus::queued, {}, deadline()));
  EXPECT_EQ(requeued.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(requeued.error().field, "status");
}

TEST_P(RunStoreTest, AStepPayloadOverTheBoundIsRefusedBeforeAnyQuery) {
  const auto thread = must_thread(alice_);
  const auto r = must_run(alice_, thread.id);
  // Just under the bound once serialised ({"text":"…"} adds 11 bytes): stored.
  nlohmann::json fits = {{"text", std::string(kMaxStepPayloadBytes - 11, 'x')}};
  ASSERT_EQ(fits.dump().size(), kMaxStepPayloadBytes);
  auto stored = run(chat_->runs.append_step(r.id, "agent_thinking", fits, deadline()));
  ASSERT_TRUE(stored) << stored.error().message;
  nlohmann::json too_big = {{"text", std::string(kMaxStepPayloadBytes - 10, 'x')}};
  auto refused = run(chat_->runs.append_step(r.id, "agent_thinking", too_big, deadline()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(refused.error().field, "payload");
  auto steps = run(chat_->runs.steps(r.id, deadline()));
  ASSERT_TRUE(steps);
  EXPECT_EQ(steps->size(), 1u) << "nothing stored for the refused one";
}

TEST_P(RunStoreTest, TheMovesAllowedFromQueuedAndRunning) {
  const auto thread = must_thread(alice_);
  const auto queued = must_run(alice_, thread.id);
  auto completed = run(chat_->runs.set_status(queued.id, RunStatus::completed, {}, deadline()));
  ASSERT_FALSE(completed);
  EXPECT_EQ(completed.error().code, ChatErrorCode::conflict) << "only a running run completes";
  at(kStart + 5);
  auto failed =
      run(chat_->runs.set_status(queued.id, RunStatus::failed, "no model answered", deadline()));
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(failed->error, "no model answered");
  EXPECT_EQ(failed->finished_at, kStart + 5);
  EXPECT_FALSE(failed->started_at.has_value());

  const auto running = must_run(alice_, thread.id);
  ASSERT_TRUE(run(chat_->runs.set_status(running.id, RunStatus::running, {}, deadline())));
  auto cancelled = run(chat_->runs.set_status(running.id, RunStatus::cancelled, {}, deadline()));
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, RunStatus::cancelled);
  EXPECT_EQ(run(chat_->runs.set_status(running.id, RunStatus::failed, {}, deadline())).error().code,
            ChatErrorCode::conflict);

  const auto missing = core::make_id("run");
  EXPECT_EQ(run(chat_->runs.set_status(missing, RunStatus::running, {}, deadline())).error().code,
            ChatErrorCode::not_found);
  EXPECT_EQ(run(chat_->runs.append_step(missing, "x", {}, deadline())).error().code,
            ChatErrorCode::not_found);
  EXPECT_EQ(run(chat_->runs.append_step("run_bad", "x", {}, deadline())).error().field, "run_id");
  EXPECT_EQ(run(chat_->runs.append_step(running.id, "", {}, deadline())).error().field, "type");
}

TEST_P(RunStoreTest, ListsAThreadsRunsNewestFirst) {
  const auto thread = must_thread(alice_);
  const auto other = must_thread(alice_);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    at(kStart + i);
    ids.push_back(must_run(alice_, thread.id).id);
  }
  must_run(alice_, other.id);
  auto page = run(chat_->runs.list(alice_, thread.id, 2, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, 3);
  ASSERT_EQ(page->runs.size(), 2u);
  EXPECT_EQ(page->runs[0].id, ids[2]);
  EXPECT_EQ(page->runs[1].id, ids[1]);
  auto rest = run(chat_->runs.list(alice_, thread.id, 2, 2, deadline()));
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->runs.size(), 1u);
  EXPECT_EQ(rest->runs[0].id, ids[0]);
}

TEST_P(RunStoreTest, RacingAppendsNumberStepsOneToNWithoutGapsOrDuplicates) {
  const auto thread = must_thread(alice_);
  const auto target = must_run(alice_, thread.id);
  constexpr int kWriters = 6;
  constexpr int kEach = 10;
  std::vector<std::future<std::vector<int64_t>>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(boost::asio::co_spawn(loops_.context(w % loops_.size()),
                                            append_in_turn(chat_->runs, target.id, w, kEach),
                                            boost::asio::use_future));
  }
  std::vector<int64_t> seqs;
  for (auto& w : writers) {
    auto mine = w.get();
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "one writer's steps stay in order";
    seqs.insert(seqs.end(), mine.begin(), mine.end());
  }
  std::sort(seqs.begin(), seqs.end());
  std::vector<int64_t> expected(kWriters * kEach);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(seqs, expected);
  auto stored = run(chat_->runs.steps(target.id, deadline()));
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), expected.size());
  for (size_t i = 0; i < stored->size(); ++i) EXPECT_EQ((*stored)[i].seq, int64_t(i + 1));
}

TEST_P(RunStoreTest, MarkInterruptedEndsEveryQueuedAndRunningRun) {
  const auto thread = must_thread(alice_);
  const auto bobs = must_thread(bob_);
  const auto queued = must_run(alice_, thread.id);
  const auto running = must_run(bob_, bobs.id);
  ASSERT_TRUE(run(chat_->runs.set_status(running.id, RunStatus::running, {}, deadline())));
  const auto completed = must_run(alice_, thread.id);
  ASSERT_TRUE(run(chat_->runs.set_status(completed.id, RunStatus::running, {}, deadline())));
  ASSERT_TRUE(run(chat_->runs.set_status(completed.id, RunStatus::completed, {}, deadline())));

  at(kStart + 60'000);
  auto marked = run(chat_->runs.mark_interrupted(deadline()));
  ASSERT_TRUE(marked) << marked.error().message;
  EXPECT_EQ(*marked, 2);
  for (const auto& [owner, id] : {std::pair{alice_, queued.id}, std::pair{bob_, running.id}}) {
    auto read = run(chat_->runs.get(owner, id, deadline()));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->run.status, RunStatus::interrupted);
    EXPECT_EQ(read->run.finished_at, kStart + 60'000);
    EXPECT_TRUE(read->run.error.has_value());
  }
  auto untouched = run(chat_->runs.get(alice_, completed.id, deadline()));
  ASSERT_TRUE(untouched);
  EXPECT_EQ(untouched->run.status, RunStatus::completed);
  EXPECT_EQ(untouched->run.finished_at, kStart);
  EXPECT_EQ(*run(chat_->runs.mark_interrupted(deadline())), 0);
  EXPECT_FALSE(run(chat_->runs.active_run(alice_, thread.id, deadline()))->has_value());
}

TEST_P(RunStoreTest, RetentionDeletesTheStepsOfRunsFinishedLongAgoInBatches) {
  const auto thread = must_thread(alice_);
  const auto bobs = must_thread(bob_);
  auto with_steps = [&](const std::string& run_id, int count) {
    for (int i = 0; i < count; ++i) {
      nlohmann::json payload = {{"i", i}};
      ASSERT_TRUE(run(chat_->runs.append_step(run_id, "tool_call", payload, deadline())));
    }
  };
  const auto completed = must_run(alice_, thread.id);
  ASSERT_TRUE(run(chat_->runs.set_status(completed.id, RunStatus::running, {}, deadline())));
  with_steps(completed.id, 5);
  at(kStart + 10);
  ASSERT_TRUE(run(chat_->runs.set_status(completed.id, RunStatus::completed, {}, deadline())));
  const auto failed = must_run(bob_, bobs.id);
  with_steps(failed.id, 2);
  at(kStart + 20);
  ASSERT_TRUE(run(chat_->runs.set_status(failed.id, RunStatus::failed, "boom", deadline())));
  const auto unfinished = must_run(alice_, thread.id);  // created long ago, still running
  ASSERT_TRUE(run(chat_->runs.set_status(unfinished.id, RunStatus::running, {}, deadline())));
  with_steps(unfinished.id, 2);
  const int64_t day = 24 * 3600 * 1000;
  at(kStart + 2 * day);
  const auto recent = must_run(bob_, bobs.id);
  with_steps(recent.id, 3);
  ASSERT_TRUE(run(chat_->runs.set_status(recent.id, RunStatus::cancelled, {}, deadline())));

  std::vector<int64_t> batches;
  for (int i = 0; i < 5; ++i) {
    auto deleted = run(chat_->runs.delete_old_steps(kStart + day, 3, deadline()));
    ASSERT_TRUE(deleted) << deleted.error().message;
    batches.push_back(*deleted);
    if (*deleted < 3) break;
  }
  EXPECT_EQ(batches, (std::vector<int64_t>{3, 3, 1})) << "7 steps of the two old runs, 3 at a time";
  EXPECT_EQ(*run(chat_->runs.delete_old_steps(kStart + day, 3, deadline())), 0);

  auto old = run(chat_->runs.get(alice_, completed.id, deadline()));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->run.status, RunStatus::completed) << "the run stays, without its steps";
  EXPECT_TRUE(old->steps.empty());
  EXPECT_TRUE(run(chat_->runs.steps(failed.id, deadline()))->empty());
  EXPECT_EQ(run(chat_->runs.steps(unfinished.id, deadline()))->size(), 2u) << "not finished";
  EXPECT_EQ(run(chat_->runs.steps(recent.id, deadline()))->size(), 3u) << "finished lately";
}

INSTANTIATE_TEST_SUITE_P(Backends, RunStoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::chat
