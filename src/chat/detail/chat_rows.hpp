// What the chat stores share: the column lists they select, the rows turned back into records,
// bound parameters, and the visibility rule (a thread is seen only by its owner, until archived).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "chat/chat_error.hpp"
#include "chat/chat_types.hpp"
#include "core/deadline.hpp"
#include "db/database.hpp"
#include "db/query_result.hpp"

namespace netra::chat::detail {

// A thread is visible to a caller when `t.owner_id` is theirs and `t.archived_at IS NULL`: every
// statement on a thread, its messages or its runs carries both conditions.
inline constexpr const char* kThreadColumns =
    "t.id, t.owner_id, t.title, t.metadata, t.created_at, t.updated_at, t.message_count ";
inline constexpr const char* kMessageColumns =
    "id, thread_id, role, content, metadata, run_id, created_at ";
inline constexpr const char* kRunColumns =
    "id, thread_id, user_id, status, user_request, error, created_at, started_at, finished_at ";
inline constexpr const char* kStepColumns = "run_id, seq, type, payload, created_at ";

// The thread row ($6: its message count, 0 or 1); used by ThreadStore::create and
// MessageStore::start_thread.
inline constexpr const char* kInsertThread =
    "INSERT INTO threads (id, owner_id, title, metadata, created_at, updated_at, message_count) "
    "VALUES ($1, $2, $3, $4, $5, $5, $6)";
// A thread's messages are numbered 1..N by ordinal and never deleted, so N is the thread's
// message_count: the caller has counted the message in the thread's row in the same transaction
// (which locks the row, so ordinals follow the commit order), and the message takes the count.
inline constexpr const char* kInsertMessage =
    "INSERT INTO messages (id, thread_id, role, content, metadata, run_id, created_at, ordinal) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT message_count FROM threads WHERE id = $2))";

// Parameters are built outside co_await expressions: g++ 12 cannot keep an initializer_list
// alive across one.
inline db::Params params(std::initializer_list<db::SqlParam> values) {
  return db::Params(values);
}
db::SqlParam optional_param(const std::optional<std::string>& value);

// Where a record's columns are in a result: found by name (statements may select them in any
// order), once per result rather than once per row, since a page reads every row with them.
struct ThreadColumns {
  explicit ThreadColumns(const db::QueryResult& result);
  size_t id, owner_id, title, metadata, created_at, updated_at, message_count;
};
struct MessageColumns {
  explicit MessageColumns(const db::QueryResult& result);
  size_t id, thread_id, role, content, metadata, run_id, created_at;
};
struct RunColumns {
  explicit RunColumns(const db::QueryResult& result);
  size_t id, thread_id, user_id, status, user_request, error, created_at, started_at, finished_at;
};
struct StepColumns {
  explicit StepColumns(const db::QueryResult& result);
  size_t run_id, seq, type, payload, created_at;
};

// A record from one row, its text moved out of the row (Row::take_text).
ChatResult<Thread> thread_from(db::Row& row, const ThreadColumns& columns);
ChatResult<Message> message_from(db::Row& row, const MessageColumns& columns);
ChatResult<Run> run_from(db::Row& row, const RunColumns& columns);
ChatResult<RunStep> step_from(db::Row& row, const StepColumns& columns);

// Reads records from a result with one of the functions above. The result is consumed: read
// anything else from it first.
template <typename T, typename Columns>
using RecordFrom = ChatResult<T> (*)(db::Row&, const Columns&);

// The record in the first row of `result`, which has one.
template <typename T, typename Columns>
ChatResult<T> first_row(db::QueryResult&& result, RecordFrom<T, Columns> from) {
  const Columns columns(result);
  return from(result.rows.at(0), columns);
}

// Every row of `result` through `from`, or the first row that does not convert.
template <typename T, typename Columns>
ChatResult<std::vector<T>> all_rows(db::QueryResult&& result, RecordFrom<T, Columns> from) {
  if (result.rows.empty()) return std::vector<T>();
  const Columns columns(result);
  std::vector<T> out;
  out.reserve(result.rows.size());
  for (auto& row : result.rows) {
    auto one = from(row, columns);
    if (!one) return one.error();
    out.push_back(std::move(one.value()));
  }
  return out;
}

// The inputs of a new thread and of a new message, checked before any query; the metadata comes
// back serialised.
ChatResult<std::string> checked_new_thread(const NewThread& thread);
ChatResult<std::string> checked_new_message(const NewMessage& message);

// A database failure as a chat error.
inline ChatError failed(db::DbError error) {
  return ChatError::database(std::move(error));
}

// The statements of one page of a thread's rows (messages, runs): the count the caller may see
// ($1 thread, $2 owner; no row when the thread is not theirs), and the page ($1 thread, $2 limit,
// $3 offset). `label` names them for leak reports.
struct ThreadPageQuery {
  const char* count_visible;
  const char* page;
  const char* label;
};

// Count, then page: not_found when the thread is not the caller's, else the page's rows and the
// thread's total.
template <typename T, typename Columns>
boost::asio::awaitable<ChatResult<std::pair<std::vector<T>, int64_t>>> thread_page(
    db::Database& db, ThreadPageQuery query, std::string owner_id, std::string thread_id,
    int64_t limit, int64_t offset, core::Deadline deadline, RecordFrom<T, Columns> from) {
  auto count_values = params({thread_id, std::move(owner_id)});
  auto count =
      co_await db.query(query.count_visible, std::move(count_values), deadline, query.label);
  if (!count) co_return failed(count.error());
  if (count->empty()) co_return ChatError::not_found("thread");
  auto page_values = params({std::move(thread_id), limit, offset});
  auto page = co_await db.query(query.page, std::move(page_values), deadline, query.label);
  if (!page) co_return failed(page.error());
  auto rows = all_rows<T>(std::move(*page), from);
  if (!rows) co_return rows.error();
  co_return std::pair{std::move(rows.value()), count->rows[0].int64(0)};
}

}  // namespace netra::chat::detail
