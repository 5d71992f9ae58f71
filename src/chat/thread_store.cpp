#include "chat/thread_store.hpp"

#include "chat/chat_validation.hpp"
#include "chat/detail/chat_rows.hpp"
#include "core/id.hpp"

namespace netra::chat {

using detail::failed;
using detail::params;

namespace {

const std::string kSelectVisible = std::string("SELECT ") + detail::kThreadColumns +
                                   "FROM threads t WHERE t.id = $1 AND t.owner_id = $2 AND "
                                   "t.archived_at IS NULL";
#define NETRA_PAGE_OF_THREADS                                       \
  "FROM threads t WHERE t.owner_id = $1 AND t.archived_at IS NULL " \
  "ORDER BY t.updated_at DESC, t.id DESC LIMIT $2 OFFSET $3"
// The page and, on each of its rows, the total (one statement for the common case; a page past
// the end has no row to carry it, and counts separately).
const std::string kListPage = std::string("SELECT ") + detail::kThreadColumns +
                              ", COUNT(*) OVER () AS total " NETRA_PAGE_OF_THREADS;
// Without the window, which reads every visible thread to count them, PostgreSQL reads the page's
// rows alone from threads_by_owner_order.
const std::string kPage = std::string("SELECT ") + detail::kThreadColumns + NETRA_PAGE_OF_THREADS;
#undef NETRA_PAGE_OF_THREADS
const std::string kCountVisible =
    "SELECT COUNT(*) FROM threads t WHERE t.owner_id = $1 AND t.archived_at IS NULL";
// An absent field is bound as NULL and keeps the stored value.
const std::string kUpdate =
    "UPDATE threads SET title = COALESCE($3, title), metadata = COALESCE($4, metadata), "
    "updated_at = $5 WHERE id = $1 AND owner_id = $2 AND archived_at IS NULL";
const std::string kTitleIfUntitled =
    "UPDATE threads SET title = $3, updated_at = $4 WHERE id = $1 AND owner_id = $2 AND "
    "archived_at IS NULL AND (title IS NULL OR title = '')";
const std::string kReplaceTitleIf =
    "UPDATE threads SET title = $3, updated_at = $4 WHERE id = $1 AND owner_id = $2 AND "
    "archived_at IS NULL AND title = $5";
const std::string kArchive =
    "UPDATE threads SET archived_at = $3 WHERE id = $1 AND owner_id = $2 AND archived_at IS NULL";

std::optional<ChatError> bad_thread_id(const std::string& id) {
  if (auto bad = check_id(id, IdKind::thread, "thread_id")) return ChatError::invalid(*bad);
  return std::nullopt;
}

}  // namespace

asio::awaitable<ChatResult<Thread>> ThreadStore::create(std::string owner_id, NewThread thread,
                                                        core::Deadline deadline) {
  auto metadata = detail::checked_new_thread(thread);
  if (!metadata) co_return metadata.error();
  Thread created{core::make_id(id_prefix(IdKind::thread)),
                 std::move(owner_id),
                 std::move(thread.title),
                 metadata.value(),
                 clock_(),
                 0,
                 0};
  created.updated_at = created.created_at;
  auto values = params({created.id, created.owner_id, detail::optional_param(created.title),
                        metadata.value(), created.created_at, created.message_count});
  auto inserted =
      co_await db_.query(detail::kInsertThread, std::move(values), deadline, "threads.create");
  if (!inserted) co_return failed(inserted.error());
  co_return created;
}

asio::awaitable<ChatResult<ThreadPage>> ThreadStore::list(std::string owner_id, int64_t limit,
                                                          int64_t offset, core::Deadline deadline) {
  if (auto bad = check_page(limit, offset)) co_return ChatError::invalid(*bad);
  auto page_values = params({owner_id, limit, offset});
  auto page = co_await db_.query(kListPage, std::move(page_values), deadline, "threads.list");
  if (!page) co_return failed(page.error());
  // Each row carries the owner's total (a window count); none when the page is past the end.
  const auto total =
      page->empty() ? std::optional<int64_t>() : page->rows.at(0).int64(page->column("total"));
  auto threads = detail::all_rows(std::move(*page), detail::thread_from);
  if (!threads) co_return threads.error();
  if (total) co_return ThreadPage{std::move(threads.value()), *total};
  auto count_values = params({std::move(owner_id)});
  auto count = co_await db_.query(kCountVisible, std::move(count_values), deadline, "threads.list");
  if (!count) co_return failed(count.error());
  co_return ThreadPage{std::move(threads.value()), count->rows.at(0).int64(0)};
}

asio::awaitable<ChatResult<std::vector<Thread>>> ThreadStore::page(std::string owner_id,
                                                                   int64_t limit, int64_t offset,
                                                                   core::Deadline deadline) {
  if (auto bad = check_page(limit, offset)) co_return ChatError::invalid(*bad);
  auto values = params({std::move(owner_id), limit, offset});
  auto page = co_await db_.query(kPage, std::move(values), deadline, "threads.page");
  if (!page) co_return failed(page.error());
  co_return detail::all_rows(std::move(*page), detail::thread_from);
}

asio::awaitable<ChatResult<Thread>> ThreadStore::get(std::string owner_id, std::string thread_id,
                                                     core::Deadline deadline) {
  if (auto bad = bad_thread_id(thread_id)) co_return *bad;
  auto values = params({std::move(thread_id), std::move(owner_id)});
  auto found = co_await db_.query(kSelectVisible, std::move(values), deadline, "threads.get");
  if (!found) co_return failed(found.error());
  if (found->empty()) co_return ChatError::not_found("thread");
  co_return detail::first_row(std::move(*found), detail::thread_from);
}

asio::awaitable<ChatResult<Thread>> ThreadStore::update(std::string owner_id, std::string thread_id,
                                                        ThreadUpdate update,
                                                        core::Deadline deadline) {
  if (auto bad = bad_thread_id(thread_id)) co_return *bad;
  if (update.title) {
    if (auto bad = check_title(*update.title)) co_return ChatError::invalid(*bad);
  }
  std::optional<std::string> metadata;
  if (update.metadata) {
    if (auto bad = check_metadata(*update.metadata)) co_return ChatError::invalid(*bad);
    metadata = update.metadata->dump();
  }
  auto values = params({thread_id, owner_id, detail::optional_param(update.title),
                        detail::optional_param(metadata), clock_()});
  auto updated = co_await db_.query(kUpdate, std::move(values), deadline, "threads.update");
  if (!updated) co_return failed(updated.error());
  if (updated->affected_rows == 0) co_return ChatError::not_found("thread");
  co_return co_await get(std::move(owner_id), std::move(thread_id), deadline);
}

asio::awaitable<ChatResult<std::optional<Thread>>> ThreadStore::title_if_untitled(
    std::string owner_id, std::string thread_id, std::string title, core::Deadline deadline) {
  co_return co_await retitle(kTitleIfUntitled, std::move(owner_id), std::move(thread_id),
                             std::nullopt, std::move(title), deadline);
}

asio::awaitable<ChatResult<std::optional<Thread>>> ThreadStore::replace_title_if(
    std::string owner_id, std::string thread_id, std::string expected, std::string title,
    core::Deadline deadline) {
  co_return co_await retitle(kReplaceTitleIf, std::move(owner_id), std::move(thread_id),
                             std::move(expected), std::move(title), deadline);
}

asio::awaitable<ChatResult<std::optional<Thread>>> ThreadStore::retitle(
    const std::string& sql, std::string owner_id, std::string thread_id,
    std::optional<std::string> expected, std::string title, core::Deadline deadline) {
  if (auto bad = bad_thread_id(thread_id)) co_return *bad;
  if (auto bad = check_title(title)) co_return ChatError::invalid(*bad);
  auto values = params({thread_id, owner_id, std::move(title), clock_()});
  if (expected) values.emplace_back(std::move(*expected));
  auto titled = co_await db_.query(sql, std::move(values), deadline, "threads.title");
  if (!titled) co_return failed(titled.error());
  if (titled->affected_rows == 0) co_return std::optional<Thread>();
  auto thread = co_await get(std::move(owner_id), std::move(thread_id), deadline);
  if (!thread) co_return thread.error();
  co_return std::optional<Thread>(std::move(thread.value()));
}

asio::awaitable<ChatResult<db::Done>> ThreadStore::archive(std::string owner_id,
                                                           std::string thread_id,
                                                           core::Deadline deadline) {
  if (auto bad = bad_thread_id(thread_id)) co_return *bad;
  auto values = params({std::move(thread_id), std::move(owner_id), clock_()});
  auto archived = co_await db_.query(kArchive, std::move(values), deadline, "threads.archive");
  if (!archived) co_return failed(archived.error());
  if (archived->affected_rows == 0) co_return ChatError::not_found("thread");
  co_return db::Done{};
}

}  // namespace netra::chat
