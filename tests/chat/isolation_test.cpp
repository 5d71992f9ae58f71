// One owner never reaches another's threads, messages or runs, and cannot tell them from ones
// that do not exist: every operation answers the same not_found. On every backend.
#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

using IsolationTest = ChatStoreTest;

// Runs `call`, which must fail as not_found.
#define EXPECT_NOT_FOUND(call)                                          \
  do {                                                                  \
    auto result_ = run(call);                                           \
    ASSERT_FALSE(result_) << #call " succeeded";                        \
    EXPECT_EQ(result_.error().code, ChatErrorCode::not_found) << #call; \
  } while (0)

TEST_P(IsolationTest, AnotherOwnersThreadMessagesAndRunsAreNotFound) {
  const auto thread = must_thread(alice_, "alice's");
  must_message(alice_, thread.id, "private question");
  const auto alices_run = must_run(alice_, thread.id);
  ASSERT_TRUE(run(chat_->runs.append_step(alices_run.id, "tool_call", {{"x", 1}}, deadline())));

  ThreadUpdate rename;
  rename.title = "taken over";
  NewMessage intrusion;
  intrusion.content = "hello from bob";
  EXPECT_NOT_FOUND(chat_->threads.get(bob_, thread.id, deadline()));
  EXPECT_NOT_FOUND(chat_->threads.update(bob_, thread.id, rename, deadline()));
  EXPECT_NOT_FOUND(chat_->threads.archive(bob_, thread.id, deadline()));
  EXPECT_NOT_FOUND(chat_->messages.add(bob_, thread.id, intrusion, deadline()));
  EXPECT_NOT_FOUND(chat_->messages.list(bob_, thread.id, 10, 0, deadline()));
  EXPECT_NOT_FOUND(chat_->runs.create(bob_, thread.id, "spy", deadline()));
  EXPECT_NOT_FOUND(chat_->runs.get(bob_, alices_run.id, deadline()));
  EXPECT_NOT_FOUND(chat_->runs.list(bob_, thread.id, 10, 0, deadline()));
  EXPECT_NOT_FOUND(chat_->runs.active_run(bob_, thread.id, deadline()));

  auto bobs_list = run(chat_->threads.list(bob_, 10, 0, deadline()));
  ASSERT_TRUE(bobs_list);
  EXPECT_EQ(bobs_list->total, 0);

  // Nothing of alice's changed.
  auto read = run(chat_->threads.get(alice_, thread.id, deadline()));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->title, "alice's");
  EXPECT_EQ(read->message_count, 1);
  auto runs = run(chat_->runs.list(alice_, thread.id, 10, 0, deadline()));
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->total, 1);
}

TEST_P(IsolationTest, ForeignMissingAndArchivedThreadsAnswerAlike) {
  const auto foreign = must_thread(alice_);
  const auto archived = must_thread(bob_);
  ASSERT_TRUE(run(chat_->threads.archive(bob_, archived.id, deadline())));
  const std::string missing = core::make_id("thr");
  std::vector<ChatError> errors;
  for (const auto& id : {foreign.id, archived.id, missing}) {
    auto read = run(chat_->threads.get(bob_, id, deadline()));
    ASSERT_FALSE(read);
    errors.push_back(read.error());
    auto messages = run(chat_->messages.list(bob_, id, 10, 0, deadline()));
    ASSERT_FALSE(messages);
    errors.push_back(messages.error());
    auto runs = run(chat_->runs.create(bob_, id, "go", deadline()));
    ASSERT_FALSE(runs);
    errors.push_back(runs.error());
  }
  for (const auto& e : errors) {
    EXPECT_EQ(e.code, ChatErrorCode::not_found);
    EXPECT_EQ(e.message, errors[0].message) << "the answer does not tell them apart";
  }
}

TEST_P(IsolationTest, TheRunsOfAnArchivedThreadAreNotFound) {
  const auto thread = must_thread(alice_);
  const auto r = must_run(alice_, thread.id);
  ASSERT_TRUE(run(chat_->threads.archive(alice_, thread.id, deadline())));
  EXPECT_NOT_FOUND(chat_->runs.get(alice_, r.id, deadline()));
  EXPECT_NOT_FOUND(chat_->runs.list(alice_, thread.id, 10, 0, deadline()));
  NewMessage late;
  late.content = "too late";
  EXPECT_NOT_FOUND(chat_->messages.add(alice_, thread.id, late, deadline()));
}

INSTANTIATE_TEST_SUITE_P(Backends, IsolationTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::chat
