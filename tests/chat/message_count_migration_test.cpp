// Migration 0012 on a database that has chat rows already: each thread's row takes the count of
// the messages it had (the highest ordinal), and the next message added follows the last one,
// on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include "chat/chat_validation.hpp"
#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

constexpr int kCountedFrom = 12;  // 0012_thread_message_count

// The chat fixture's database migrated to just before 0012, without users or a store yet.
class MessageCountMigrationTest : public ChatStoreTest {
 protected:
  void SetUp() override {
    loops_.start();
    database_.emplace(GetParam(), dir_, "chat", offload_, loops_, 8, kCountedFrom);
    db_ = &database_->db();
  }
  void sql(const std::string& statement, db::Params values) {
    auto done = run(db_->query(statement, std::move(values), deadline()));
    ASSERT_TRUE(done) << statement << ": " << done.error().message;
  }
};

TEST_P(MessageCountMigrationTest, ThreadsCountTheMessagesTheyHadAndTheNextOneFollows) {
  sql("INSERT INTO users (id, email, password_hash, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $4)",
      {std::string("usr_old"), std::string("old@example.com"), std::string("$argon2id$x"), kStart});
  const std::string busy_id = core::make_id(id_prefix(IdKind::thread));
  const std::string empty_id = core::make_id(id_prefix(IdKind::thread));
  for (const auto& thread : {busy_id, empty_id}) {
    sql("INSERT INTO threads (id, owner_id, metadata, created_at, updated_at) "
        "VALUES ($1, 'usr_old', '{}', $2, $2)",
        {thread, kStart});
  }
  for (int64_t ordinal = 1; ordinal <= 3; ++ordinal) {
    sql("INSERT INTO messages (id, thread_id, role, content, created_at, ordinal) "
        "VALUES ($1, $2, 'user', $3, $4, $5)",
        {core::make_id(id_prefix(IdKind::message)), busy_id, "before #" + std::to_string(ordinal),
         kStart, ordinal});
  }

  auto migrated = run(db::apply_migrations(*db_, db::embedded_migrations(), deadline()));
  ASSERT_TRUE(migrated) << migrated.error().message;
  chat_ = std::make_unique<ChatStore>(*db_, [this] { return now_.load(); });
  auto busy = run(chat_->threads.get("usr_old", busy_id, deadline()));
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->message_count, 3);
  auto empty = run(chat_->threads.get("usr_old", empty_id, deadline()));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->message_count, 0);

  at(kStart + 1'000);
  must_message("usr_old", busy_id, "after");
  must_message("usr_old", empty_id, "after");
  auto page = run(chat_->messages.list("usr_old", busy_id, 10, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->messages.size(), 4u);
  EXPECT_EQ(page->messages[0].content, "before #1");
  EXPECT_EQ(page->messages[3].content, "after");
  auto listed = run(chat_->threads.list("usr_old", 10, 0, deadline()));
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->threads.size(), 2u);
  for (const auto& t : listed->threads) {
    EXPECT_EQ(t.message_count, t.id == busy_id ? 4 : 1) << t.id;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, MessageCountMigrationTest, ::testing::ValuesIn(backends()));

}  // namespace
}  // namespace netra::chat
