// Threads on every backend the environment provides (SQLite always, PostgreSQL when
// TEST_POSTGRES_URL is set), with the same assertions: the lifecycle, paging by activity, and
// one owner never reaching another's threads.
#include "chat/thread_store.hpp"

#include "chat/chat_validation.hpp"
#include "chat_test_fixture.hpp"

namespace netra::chat {
namespace {

using ThreadStoreTest = ChatStoreTest;

std::vector<std::string> ids_of(const std::vector<Thread>& threads) {
  std::vector<std::string> ids;
  for (const auto& t : threads) ids.push_back(t.id);
  return ids;
}

TEST_P(ThreadStoreTest, CreatesReadsUpdatesAndArchivesAThread) {
  NewThread fresh;
  fresh.title = "Spend in March";
  fresh.metadata = {{"workload", "support-bot"}, {"pinned", true}};
  auto created = run(chat_->threads.create(alice_, fresh, deadline()));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(check_id(created->id, IdKind::thread, "id")) << created->id;
  EXPECT_EQ(created->owner_id, alice_);
  EXPECT_EQ(created->title, "Spend in March");
  EXPECT_EQ(nlohmann::json::parse(created->metadata_json), fresh.metadata);
  EXPECT_EQ(created->created_at, kStart);
  EXPECT_EQ(created->updated_at, kStart);
  EXPECT_EQ(created->message_count, 0);

  auto read = run(chat_->threads.get(alice_, created->id, deadline()));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->title, created->title);
  EXPECT_EQ(nlohmann::json::parse(read->metadata_json), fresh.metadata);
  EXPECT_EQ(read->created_at, kStart);

  at(kStart + 1000);
  ThreadUpdate rename;
  rename.title = "Spend in April ✓";
  auto renamed = run(chat_->threads.update(alice_, created->id, rename, deadline()));
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->title, "Spend in April ✓");
  EXPECT_EQ(nlohmann::json::parse(renamed->metadata_json), fresh.metadata)
      << "an absent field keeps its value";
  EXPECT_EQ(renamed->created_at, kStart);
  EXPECT_EQ(renamed->updated_at, kStart + 1000);

  at(kStart + 2000);
  ThreadUpdate retag;
  retag.metadata = nlohmann::json{{"workload", "search"}};
  auto retagged = run(chat_->threads.update(alice_, created->id, retag, deadline()));
  ASSERT_TRUE(retagged) << retagged.error().message;
  EXPECT_EQ(retagged->title, "Spend in April ✓");
  EXPECT_EQ(nlohmann::json::parse(retagged->metadata_json), retag.metadata);
  EXPECT_EQ(retagged->updated_at, kStart + 2000);

  auto archived = run(chat_->threads.archive(alice_, created->id, deadline()));
  ASSERT_TRUE(archived) << archived.error().message;
  auto gone = run(chat_->threads.get(alice_, created->id, deadline()));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ChatErrorCode::not_found);
  auto listed = run(chat_->threads.list(alice_, 10, 0, deadline()));
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->threads.empty());
  EXPECT_EQ(listed->total, 0);
  EXPECT_EQ(run(chat_->threads.update(alice_, created->id, rename, deadline())).error().code,
            ChatErrorCode::not_found);
  EXPECT_EQ(run(chat_->threads.archive(alice_, created->id, deadline())).error().code,
            ChatErrorCode::not_found)
      << "archiving twice";
  auto still_stored = run(db_->query("SELECT archived_at FROM threads WHERE id = $1",
                                     db::Params{created->id}, deadline()));
  ASSERT_TRUE(still_stored && still_stored->rows.size() == 1u) << "archived data stays";
  EXPECT_EQ(still_stored->rows[0].int64(0), kStart + 2000);
}

TEST_P(ThreadStoreTest, AThreadWithoutTitleHasNoneAndEmptyMetadata) {
  auto created = run(chat_->threads.create(alice_, NewThread{}, deadline()));
  ASSERT_TRUE(created) << created.error().message;
  auto read = run(chat_->threads.get(alice_, created->id, deadline()));
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->title.has_value());
  EXPECT_EQ(nlohmann::json::parse(read->metadata_json), nlohmann::json::object());
}

TEST_P(ThreadStoreTest, AnAutomaticTitleNeverReplacesOneTheOwnerGave) {
  chat::NewThread untitled;
  auto thread = run(chat_->threads.create(alice_, untitled, deadline()));
  ASSERT_TRUE(thread);
  // Another owner cannot title it.
  auto theirs = run(chat_->threads.title_if_untitled(bob_, thread->id, "mine now", deadline()));
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(theirs->has_value());
  auto titled = run(chat_->threads.title_if_untitled(alice_, thread->id, "Cut costs", deadline()));
  ASSERT_TRUE(titled && titled->has_value());
  EXPECT_EQ((*titled)->title, "Cut costs");
  auto again = run(chat_->threads.title_if_untitled(alice_, thread->id, "Other", deadline()));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
  chat::ThreadUpdate named;
  named.title = "My own name";
  ASSERT_TRUE(run(chat_->threads.update(alice_, thread->id, named, deadline())));
  auto kept = run(chat_->threads.title_if_untitled(alice_, thread->id, "Auto", deadline()));
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->has_value());
  EXPECT_EQ(run(chat_->threads.get(alice_, thread->id, deadline()))->title, "My own name");
  auto too_long =
      run(chat_->threads.title_if_untitled(alice_, thread->id, std::string(201, 't'), deadline()));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, chat::ChatErrorCode::invalid);
}

TEST_P(ThreadStoreTest, ListsPagesByLatestActivityWithMessageCounts) {
  std::vector<Thread> threads;
  for (int i = 0; i < 5; ++i) {
    at(kStart + i);
    threads.push_back(must_thread(alice_, "thread " + std::to_string(i)));
  }
  must_thread(bob_, "not alice's");
  at(kStart + 100);
  must_message(alice_, threads[1].id, "first");
  must_message(alice_, threads[1].id, "second");
  // Activity order now: 1 (message), 4, 3, 2, 0.
  auto first = run(chat_->threads.list(alice_, 2, 0, deadline()));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->total, 5);
  EXPECT_EQ(ids_of(first->threads), (std::vector<std::string>{threads[1].id, threads[4].id}));
  EXPECT_EQ(first->threads[0].message_count, 2);
  EXPECT_EQ(first->threads[0].updated_at, kStart + 100);
  EXPECT_EQ(first->threads[1].message_count, 0);
  auto second = run(chat_->threads.list(alice_, 2, 2, deadline()));
  ASSERT_TRUE(second);
  EXPECT_EQ(ids_of(second->threads), (std::vector<std::string>{threads[3].id, threads[2].id}));
  auto last = run(chat_->threads.list(alice_, 2, 4, deadline()));
  ASSERT_TRUE(last);
  EXPECT_EQ(ids_of(last->threads), (std::vector<std::string>{threads[0].id}));
  auto beyond = run(chat_->threads.list(alice_, 2, 10, deadline()));
  ASSERT_TRUE(beyond);
  EXPECT_TRUE(beyond->threads.empty());
  EXPECT_EQ(beyond->total, 5);
  // The page without its total is the same page.
  for (int64_t offset : {0, 2, 4, 10}) {
    auto listed = run(chat_->threads.list(alice_, 2, offset, deadline()));
    auto paged = run(chat_->threads.page(alice_, 2, offset, deadline()));
    ASSERT_TRUE(listed && paged);
    EXPECT_EQ(ids_of(paged.value()), ids_of(listed->threads)) << offset;
  }
  EXPECT_FALSE(run(chat_->threads.page(alice_, 0, 0, deadline())));  // limit 1-100
}

TEST_P(ThreadStoreTest, ThreadsActiveInTheSameMillisecondListInAStableOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(must_thread(alice_).id);
  std::sort(ids.rbegin(), ids.rend());  // same updated_at: by id, descending
  auto listed = run(chat_->threads.list(alice_, 10, 0, deadline()));
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids_of(listed->threads), ids);
}

TEST_P(ThreadStoreTest, RefusesBadInputBeforeAnyQuery) {
  NewThread long_title;
  long_title.title = std::string(201, 'a');
  auto refused = run(chat_->threads.create(alice_, long_title, deadline()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(refused.error().field, "title");

  NewThread listy;
  listy.metadata = nlohmann::json::array({1, 2});
  auto not_object = run(chat_->threads.create(alice_, listy, deadline()));
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().field, "metadata");

  auto malformed = run(chat_->threads.get(alice_, "thr_short", deadline()));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ChatErrorCode::invalid);
  EXPECT_EQ(malformed.error().field, "thread_id");
  auto run_id_as_thread = run(chat_->threads.get(alice_, core::make_id("run"), deadline()));
  EXPECT_EQ(run_id_as_thread.error().field, "thread_id");

  auto bad_limit = run(chat_->threads.list(alice_, 0, 0, deadline()));
  ASSERT_FALSE(bad_limit);
  EXPECT_EQ(bad_limit.error().field, "limit");
  EXPECT_EQ(run(chat_->threads.list(alice_, 101, 0, deadline())).error().field, "limit");
  EXPECT_EQ(run(chat_->threads.list(alice_, 10, -1, deadline())).error().field, "offset");
  auto listed = run(chat_->threads.list(alice_, 100, 0, deadline()));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 0) << "nothing refused was stored";
}

INSTANTIATE_TEST_SUITE_P(Backends, ThreadStoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::chat
