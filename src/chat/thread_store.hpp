// ThreadStore: a user's conversations — create, list by latest activity, read, rename or
// re-tag, archive. A thread is seen only by its owner and only until it is archived; any other
// thread is `not_found`, whether it exists or not.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "chat/chat_error.hpp"
#include "chat/chat_types.hpp"
#include "core/clock.hpp"
#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::chat {

namespace asio = boost::asio;

// Every call validates its input (chat_validation.hpp) before any query and answers `invalid`
// naming the field; database failures come back as `database`. Safe to call from any number of
// coroutines at once; the Database must outlive the store.
class ThreadStore {
 public:
  explicit ThreadStore(db::Database& db, UnixClock clock = core::unix_ms_now)
      : db_(db), clock_(std::move(clock)) {}

  asio::awaitable<ChatResult<Thread>> create(std::string owner_id, NewThread thread,
                                             core::Deadline deadline);
  // The owner's threads that are not archived, latest activity first (updated_at, then id, both
  // descending), with the total for paging. limit 1–100.
  asio::awaitable<ChatResult<ThreadPage>> list(std::string owner_id, int64_t limit, int64_t offset,
                                               core::Deadline deadline);
  // The same page without the total, for a caller that does not show it (GET /api/threads):
  // counting every visible thread is most of what the page costs the database.
  asio::awaitable<ChatResult<std::vector<Thread>>> page(std::string owner_id, int64_t limit,
                                                        int64_t offset, core::Deadline deadline);
  asio::awaitable<ChatResult<Thread>> get(std::string owner_id, std::string thread_id,
                                          core::Deadline deadline);
  // Changes what `update` holds and marks the thread active now; returns it as stored.
  asio::awaitable<ChatResult<Thread>> update(std::string owner_id, std::string thread_id,
                                             ThreadUpdate update, core::Deadline deadline);
  // Sets the title of a thread that has none (null or empty) — a title the owner gave is never
  // replaced, even one given a moment before. The thread as stored when it was titled; nothing
  // when it had a title already.
  asio::awaitable<ChatResult<std::optional<Thread>>> title_if_untitled(std::string owner_id,
                                                                       std::string thread_id,
                                                                       std::string title,
                                                                       core::Deadline deadline);
  // Replaces the title when it is still `expected` (what a run set), so that a title the owner
  // gave meanwhile stands; as title_if_untitled otherwise.
  asio::awaitable<ChatResult<std::optional<Thread>>> replace_title_if(std::string owner_id,
                                                                      std::string thread_id,
                                                                      std::string expected,
                                                                      std::string title,
                                                                      core::Deadline deadline);
  // Hides the thread from every later call; its rows stay. Archiving twice is `not_found`.
  asio::awaitable<ChatResult<db::Done>> archive(std::string owner_id, std::string thread_id,
                                                core::Deadline deadline);

 private:
  // Sets the title when the row matches `sql`'s condition ($5: `expected`, when given): the
  // thread as stored, or nothing when it did not match.
  asio::awaitable<ChatResult<std::optional<Thread>>> retitle(
      const std::string& sql, std::string owner_id, std::string thread_id,
      std::optional<std::string> expected, std::string title, core::Deadline deadline);

  db::Database& db_;
  UnixClock clock_;
};

}  // namespace netra::chat
