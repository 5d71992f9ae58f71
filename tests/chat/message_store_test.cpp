// Messages on every backend the environment provides, with the same assertions: oldest first in
// the order added (also within one millisecond and when adds race), totals and paging, the
// thread's activity, and a thread started together with its first message.
#include "chat/message_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "chat/chat_validation.hpp"
#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

using MessageStoreTest = ChatStoreTest;

std::vector<std::string> contents_of(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.content);
  return out;
}

// Adds `count` messages "writer W #i" one after another; returns the errors.
boost::asio::awaitable<std::vector<std::string>> add_in_turn(ChatStore& chat, std::string owner,
                                                             std::string thread_id, int writer,
                                                             int count) {
  std::vector<std::string> failures;
  for (int i = 0; i < count; ++i) {
    NewMessage m;
    m.content = "writer " + std::to_string(writer) + " #" + std::to_string(i);
    auto added = co_await chat.messages.add(owner, thread_id, std::move(m),
                                            core::Deadline::after(std::chrono::seconds(10)));
    if (!added) failures.push_back(added.error().message);
  }
  co_return failures;
}

TEST_P(MessageStoreTest, AddsMessagesAndListsThemOldestFirstWithTheTotal) {
  const auto thread = must_thread(alice_);
  at(kStart + 500);
  NewMessage question;
  question.content = "Which model costs the most?";
  question.metadata = {{"client", "web"}};
  auto added = run(chat_->messages.add(alice_, thread.id, question, deadline()));
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_FALSE(check_id(added->id, IdKind::message, "id")) << added->id;
  EXPECT_EQ(added->thread_id, thread.id);
  EXPECT_EQ(added->role, Role::user);
  EXPECT_EQ(added->created_at, kStart + 500);
  at(kStart + 600);
  must_message(alice_, thread.id, "gpt-4o, by far", Role::assistant);
  at(kStart + 700);
  must_message(alice_, thread.id, "Be brief.", Role::system);

  auto page = run(chat_->messages.list(alice_, thread.id, 10, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, 3);
  ASSERT_EQ(page->messages.size(), 3u);
  EXPECT_EQ(page->messages[0].id, added->id);
  EXPECT_EQ(page->messages[0].content, question.content);
  EXPECT_EQ(page->messages[0].metadata, question.metadata);
  EXPECT_FALSE(page->messages[0].run_id.has_value());
  EXPECT_EQ(page->messages[1].role, Role::assistant);
  EXPECT_EQ(page->messages[2].role, Role::system);
  EXPECT_EQ(page->messages[2].created_at, kStart + 700);

  auto tail = run(chat_->messages.list(alice_, thread.id, 2, 1, deadline()));
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->total, 3);
  EXPECT_EQ(contents_of(tail->messages), (std::vector<std::string>{"gpt-4o, by far", "Be brief."}));

  auto read = run(chat_->threads.get(alice_, thread.id, deadline()));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->message_count, 3);
  EXPECT_EQ(read->updated_at, kStart + 700) << "each message marks the thread active";
}

TEST_P(MessageStoreTest, MessagesOfOneMillisecondKeepTheOrderTheyWereAddedIn) {
  const auto thread = must_thread(alice_);
  std::vector<std::string> added;
  // Contents whose order differs from both id order and alphabetical order.
  for (int i = 0; i < 12; ++i) {
    added.push_back(std::to_string((i * 7) % 12) + "-" + std::to_string(i));
    must_message(alice_, thread.id, added.back(), i % 2 ? Role::assistant : Role::user);
  }
  auto page = run(chat_->messages.list(alice_, thread.id, 100, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(contents_of(page->messages), added);
  for (const auto& m : page->messages) EXPECT_EQ(m.created_at, kStart);
  auto middle = run(chat_->messages.list(alice_, thread.id, 3, 5, deadline()));
  ASSERT_TRUE(middle);
  EXPECT_EQ(contents_of(middle->messages),
            (std::vector<std::string>{added[5], added[6], added[7]}));
}

TEST_P(MessageStoreTest, RacingAddsToOneThreadAllLandInOneOrder) {
  const auto thread = must_thread(alice_);
  constexpr int kWriters = 4;
  constexpr int kEach = 5;
  std::vector<std::future<std::vector<std::string>>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(boost::asio::co_spawn(loops_.context(w % loops_.size()),
                                            add_in_turn(*chat_, alice_, thread.id, w, kEach),
                                            boost::asio::use_future));
  }
  for (auto& w : writers) EXPECT_EQ(w.get(), std::vector<std::string>{});
  auto page = run(chat_->messages.list(alice_, thread.id, 100, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, kWriters * kEach);
  // Each writer's own messages appear in the order it added them.
  std::vector<int> next(kWriters, 0);
  for (const auto& m : page->messages) {
    const int w = m.content[7] - '0';
    EXPECT_EQ(m.content, "writer " + std::to_string(w) + " #" + std::to_string(next[w]));
    ++next[w];
  }
}

TEST_P(MessageStoreTest, StartsAThreadWithItsFirstMessage) {
  NewThread thread;
  thread.title = "From the composer";
  NewMessage first;
  first.content = "Where did my tokens go?";
  auto started = run(chat_->messages.start_thread(alice_, thread, first, deadline()));
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->thread.message_count, 1);
  EXPECT_EQ(started->message.thread_id, started->thread.id);
  auto read = run(chat_->threads.get(alice_, started->thread.id, deadline()));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->title, "From the composer");
  EXPECT_EQ(read->message_count, 1);
  auto page = run(chat_->messages.list(alice_, started->thread.id, 10, 0, deadline()));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->messages.size(), 1u);
  EXPECT_EQ(page->messages[0].id, started->message.id);
  must_message(alice_, started->thread.id, "and a second one");
  EXPECT_EQ(run(chat_->messages.list(alice_, started->thread.id, 10, 0, deadline()))->total, 2);

  NewMessage empty;
  auto refused = run(chat_->messages.start_thread(alice_, thread, empty, deadline()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "content");
  EXPECT_EQ(run(chat_->threads.list(alice_, 10, 0, deadline()))->total, 1)
      << "a refused first message creates no thread";
}

TEST_P(MessageStoreTest, AMessageNamesOnlyARunOfItsOwnThread) {
  const auto thread = must_thread(alice_);
  const auto other = must_thread(alice_);
  const auto run_of_thread = must_run(alice_, thread.id);
  const auto run_of_other = must_run(alice_, other.id);
  NewMessage answer;
  answer.role = Role::assistant;
  answer.content = "Here is the breakdown.";
  answer.run_id = run_of_thread.id;
  auto added = run(chat_->messages.add(alice_, thread.id, answer, deadline()));
  ASSERT_TRUE(added) << added.error().message;
  auto page = run(chat_->messages.list(alice_, thread.id, 10, 0, deadline()));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->messages.at(0).run_id, run_of_thread.id);

  answer.run_id = run_of_other.id;
  auto foreign = run(chat_->messages.add(alice_, thread.id, answer, deadline()));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(foreign.error().field, "run_id");
  answer.run_id = "run_123";
  EXPECT_EQ(run(chat_->messages.add(alice_, thread.id, answer, deadline())).error().field,
            "run_id");
  EXPECT_EQ(run(chat_->messages.list(alice_, thread.id, 10, 0, deadline()))->total, 1)
      << "refused messages were not stored";
}

TEST_P(MessageStoreTest, RefusesContentOutsideItsLimits) {
  const auto thread = must_thread(alice_);
  NewMessage m;
  m.content = std::string(kMaxContentBytes, 'x');
  EXPECT_TRUE(run(chat_->messages.add(alice_, thread.id, m, deadline())));
  m.content += 'x';
  auto too_long = run(chat_->messages.add(alice_, thread.id, m, deadline()));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(too_long.error().field, "content");
  m.content = "bad \xC0\xAF byte";
  EXPECT_EQ(run(chat_->messages.add(alice_, thread.id, m, deadline())).error().field, "content");
  m.content = "ok";
  m.metadata = "a string";
  EXPECT_EQ(run(chat_->messages.add(alice_, thread.id, m, deadline())).error().field, "metadata");
  auto page = run(chat_->messages.list(alice_, thread.id, 10, 0, deadline()));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 1);
  EXPECT_EQ(page->messages.at(0).content.size(), kMaxContentBytes) << "stored whole";
}

INSTANTIATE_TEST_SUITE_P(Backends, MessageStoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::chat
