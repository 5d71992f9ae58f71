#include "chat/message_store.hpp"

#include <algorithm>
#include <limits>

#include "chat/chat_validation.hpp"
#include "chat/detail/chat_rows.hpp"
#include "core/id.hpp"

namespace netra::chat {

using detail::failed;
using detail::params;

namespace {

// Marks the thread active and counts the message in its row, which the transaction then holds:
// concurrent adds to one thread take their ordinals (the new count) one after the other.
const std::string kTouchThread =
    "UPDATE threads SET updated_at = $3, message_count = message_count + 1 "
    "WHERE id = $1 AND owner_id = $2 AND archived_at IS NULL";
const std::string kRunOfThread = "SELECT id FROM runs WHERE id = $1 AND thread_id = $2";
// Visibility and the total in one statement: no row means not_found.
const std::string kCountVisible =
    "SELECT t.message_count FROM threads t "
    "WHERE t.id = $1 AND t.owner_id = $2 AND t.archived_at IS NULL";
const std::string kPage = std::string("SELECT ") + detail::kMessageColumns +
                          "FROM messages WHERE thread_id = $1 ORDER BY ordinal LIMIT $2 OFFSET $3";

const std::string kOrdinalOf = "SELECT ordinal FROM messages WHERE id = $1 AND thread_id = $2";
// One more than asked for: whether older messages remain, without counting them.
const std::string kHistory = std::string("SELECT ") + detail::kMessageColumns +
                             "FROM messages WHERE thread_id = $1 AND ordinal < $2 "
                             "ORDER BY ordinal DESC LIMIT $3";

db::Params message_params(const Message& m, const std::string& metadata) {
  return params({m.id, m.thread_id, std::string(to_string(m.role)), m.content, metadata,
                 detail::optional_param(m.run_id), m.created_at});
}

Message new_message(std::string thread_id, NewMessage&& m, int64_t now) {
  return Message{core::make_id(id_prefix(IdKind::message)),
                 std::move(thread_id),
                 m.role,
                 std::move(m.content),
                 std::move(m.metadata),
                 std::move(m.run_id),
                 now};
}

}  // namespace

asio::awaitable<ChatResult<Message>> MessageStore::add(std::string owner_id, std::string thread_id,
                                                       NewMessage message,
                                                       core::Deadline deadline) {
  if (auto bad = check_id(thread_id, IdKind::thread, "thread_id")) {
    co_return ChatError::invalid(*bad);
  }
  auto metadata = detail::checked_new_message(message);
  if (!metadata) co_return metadata.error();
  Message added = new_message(std::move(thread_id), std::move(message), clock_());

  auto begun = co_await db_.begin(deadline, "messages.add");
  if (!begun) co_return failed(begun.error());
  auto& tx = begun.value();
  auto touch_values = params({added.thread_id, std::move(owner_id), added.created_at});
  auto touched = co_await tx.query(kTouchThread, std::move(touch_values));
  if (!touched) co_return failed(touched.error());
  if (touched->affected_rows == 0) {
    (void)co_await tx.rollback();
    co_return ChatError::not_found("thread");
  }
  if (added.run_id) {
    auto run_values = params({*added.run_id, added.thread_id});
    auto run = co_await tx.query(kRunOfThread, std::move(run_values));
    if (!run) co_return failed(run.error());
    if (run->empty()) {
      (void)co_await tx.rollback();
      co_return ChatError::invalid({"run_id", "is not a run of this thread"});
    }
  }
  auto inserted =
      co_await tx.query_then_commit(detail::kInsertMessage, message_params(added, *metadata));
  if (!inserted) co_return failed(inserted.error());
  co_return added;
}

asio::awaitable<ChatResult<ThreadWithMessage>> MessageStore::start_thread(std::string owner_id,
                                                                          NewThread thread,
                                                                          NewMessage message,
                                                                          core::Deadline deadline) {
  auto thread_metadata = detail::checked_new_thread(thread);
  if (!thread_metadata) co_return thread_metadata.error();
  if (message.run_id) {
    co_return ChatError::invalid({"run_id", "must be empty for the first message of a thread"});
  }
  auto message_metadata = detail::checked_new_message(message);
  if (!message_metadata) co_return message_metadata.error();
  const int64_t now = clock_();
  Thread created{core::make_id(id_prefix(IdKind::thread)),
                 std::move(owner_id),
                 std::move(thread.title),
                 *thread_metadata,
                 now,
                 now,
                 1};
  Message first = new_message(created.id, std::move(message), now);

  auto begun = co_await db_.begin(deadline, "messages.start_thread");
  if (!begun) co_return failed(begun.error());
  auto& tx = begun.value();
  auto thread_values = params({created.id, created.owner_id, detail::optional_param(created.title),
                               *thread_metadata, now, created.message_count});
  auto inserted_thread = co_await tx.query(detail::kInsertThread, std::move(thread_values));
  if (!inserted_thread) co_return failed(inserted_thread.error());
  auto inserted = co_await tx.query_then_commit(detail::kInsertMessage,
                                                message_params(first, *message_metadata));
  if (!inserted) co_return failed(inserted.error());
  co_return ThreadWithMessage{std::move(created), std::move(first)};
}

asio::awaitable<ChatResult<MessagePage>> MessageStore::list(std::string owner_id,
                                                            std::string thread_id, int64_t limit,
                                                            int64_t offset,
                                                            core::Deadline deadline) {
  if (auto bad = check_id(thread_id, IdKind::thread, "thread_id")) {
    co_return ChatError::invalid(*bad);
  }
  if (auto bad = check_page(limit, offset)) co_return ChatError::invalid(*bad);
  auto page = co_await detail::thread_page(
      db_, {kCountVisible.c_str(), kPage.c_str(), "messages.list"}, std::move(owner_id),
      std::move(thread_id), limit, offset, deadline, detail::message_from);
  if (!page) co_return page.error();
  co_return MessagePage{std::move(page->first), page->second};
}

asio::awaitable<ChatResult<MessageHistory>> MessageStore::history(std::string owner_id,
                                                                  std::string thread_id,
                                                                  std::optional<std::string> before,
                                                                  int64_t limit,
                                                                  core::Deadline deadline) {
  if (auto bad = check_id(thread_id, IdKind::thread, "thread_id")) {
    co_return ChatError::invalid(*bad);
  }
  if (before) {
    if (auto bad = check_id(*before, IdKind::message, "before")) co_return ChatError::invalid(*bad);
  }
  if (auto bad = check_page(limit, 0)) co_return ChatError::invalid(*bad);
  auto count_values = params({thread_id, std::move(owner_id)});
  auto count =
      co_await db_.query(kCountVisible, std::move(count_values), deadline, "messages.history");
  if (!count) co_return failed(count.error());
  if (count->empty()) co_return ChatError::not_found("thread");
  int64_t below = std::numeric_limits<int64_t>::max();
  if (before) {
    // Named first: g++ 12 mishandles braced temporaries inside a co_await expression.
    auto ordinal_values = params({*before, thread_id});
    auto ordinal =
        co_await db_.query(kOrdinalOf, std::move(ordinal_values), deadline, "messages.history");
    if (!ordinal) co_return failed(ordinal.error());
    if (ordinal->empty()) {
      FieldError elsewhere{"before", "is not a message of this thread"};
      co_return ChatError::invalid(std::move(elsewhere));
    }
    below = ordinal->rows[0].int64(0);
  }
  auto page_values = params({std::move(thread_id), below, limit + 1});
  auto page = co_await db_.query(kHistory, std::move(page_values), deadline, "messages.history");
  if (!page) co_return failed(page.error());
  auto rows = detail::all_rows(std::move(*page), detail::message_from);
  if (!rows) co_return rows.error();
  MessageHistory history;
  history.total = count->rows[0].int64(0);
  history.messages = std::move(rows.value());
  history.has_more = static_cast<int64_t>(history.messages.size()) > limit;
  if (history.has_more) history.messages.pop_back();  // the oldest, read only to know
  std::reverse(history.messages.begin(), history.messages.end());
  co_return history;
}

}  // namespace netra::chat
