// Migration 0012 on a database that has chat rows already: each thread's row takes the count of
// the messages it had (the highest ordinal), and the next message added follows the last one,
// on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "chat/chat_store.hpp"
#include "chat/chat_validation.hpp"
#include "chat_test_fixture.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"

namespace netra::chat {
namespace {

constexpr int kCountedFrom = 12;  // 0012_thread_message_count

class MessageCountMigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    loops_.start();
    db::DatabaseSettings settings;
    if (GetParam() == "postgres") {
      scratch_.emplace("netra_message_count");
      settings.url = scratch_->url();
    } else {
      settings.url = "sqlite:" + dir_.file("chat.db");
    }
    db_ = db::open_database(settings, offload_);
  }
  void TearDown() override {
    if (db_) db_->close_idle();
    db_.reset();
    scratch_.reset();
    offload_.shutdown(std::chrono::seconds(1));
    loops_.stop(std::chrono::seconds(1));
  }

  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task),
                                  std::chrono::seconds(30));
  }
  static core::Deadline deadline() { return core::Deadline::after(std::chrono::seconds(10)); }

  void migrate(int below_version) {
    std::vector<db::Migration> migrations;
    for (const auto& m : db::embedded_migrations()) {
      if (m.version < below_version) migrations.push_back(m);
    }
    auto applied = run(db::apply_migrations(*db_, migrations, deadline()));
    ASSERT_TRUE(applied) << applied.error().message;
  }
  void sql(const std::string& statement, db::Params values) {
    auto done = run(db_->query(statement, std::move(values), deadline()));
    ASSERT_TRUE(done) << statement << ": " << done.error().message;
  }

  testing::TempDir dir_;
  core::EventLoops loops_{1, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{2};
  std::optional<testing::ScratchPostgresDatabase> scratch_;  // declared first: outlives db_
  std::unique_ptr<db::Database> db_;
};

TEST_P(MessageCountMigrationTest, ThreadsCountTheMessagesTheyHadAndTheNextOneFollows) {
  migrate(kCountedFrom);
  const int64_t t0 = 1'700'000'000'000;
  sql("INSERT INTO users (id, email, password_hash, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $4)",
      {std::string("usr_old"), std::string("old@example.com"), std::string("$argon2id$x"), t0});
  const std::string busy_id = core::make_id(id_prefix(IdKind::thread));
  const std::string empty_id = core::make_id(id_prefix(IdKind::thread));
  for (const auto& thread : {busy_id, empty_id}) {
    sql("INSERT INTO threads (id, owner_id, metadata, created_at, updated_at) "
        "VALUES ($1, 'usr_old', '{}', $2, $2)",
        {thread, t0});
  }
  for (int64_t ordinal = 1; ordinal <= 3; ++ordinal) {
    sql("INSERT INTO messages (id, thread_id, role, content, created_at, ordinal) "
        "VALUES ($1, $2, 'user', $3, $4, $5)",
        {core::make_id(id_prefix(IdKind::message)), busy_id, "before #" + std::to_string(ordinal),
         t0, ordinal});
  }

  migrate(1'000'000);
  ChatStore chat(*db_, [] { return int64_t{1'800'000'000'000}; });
  auto busy = run(chat.threads.get("usr_old", busy_id, deadline()));
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->message_count, 3);
  auto empty = run(chat.threads.get("usr_old", empty_id, deadline()));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->message_count, 0);

  NewMessage after;
  after.content = "after";
  ASSERT_TRUE(run(chat.messages.add("usr_old", busy_id, after, deadline())));
  ASSERT_TRUE(run(chat.messages.add("usr_old", empty_id, after, deadline())));
  auto page = run(chat.messages.list("usr_old", busy_id, 10, 0, deadline()));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->messages.size(), 4u);
  EXPECT_EQ(page->messages[0].content, "before #1");
  EXPECT_EQ(page->messages[3].content, "after");
  auto listed = run(chat.threads.list("usr_old", 10, 0, deadline()));
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->threads.size(), 2u);
  for (const auto& t : listed->threads) {
    EXPECT_EQ(t.message_count, t.id == busy_id ? 4 : 1) << t.id;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, MessageCountMigrationTest, ::testing::ValuesIn(backends()));

}  // namespace
}  // namespace netra::chat
