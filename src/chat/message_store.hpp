// MessageStore: the messages of a thread, in the order they were added — also within one
// millisecond — each committed, with the thread marked active, before the call returns.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "chat/chat_error.hpp"
#include "chat/chat_types.hpp"
#include "core/clock.hpp"
#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::chat {

namespace asio = boost::asio;

// Same promises as ThreadStore: input checked before any query (`invalid` names the field), a
// thread that is not the caller's (missing, archived, another owner's) is `not_found`, and calls
// may run concurrently.
class MessageStore {
 public:
  explicit MessageStore(db::Database& db, UnixClock clock = core::unix_ms_now)
      : db_(db), clock_(std::move(clock)) {}

  // Appends to the thread and bumps its updated_at, in one transaction. A `run_id` that is not a
  // run of this thread is `invalid` (field run_id).
  asio::awaitable<ChatResult<Message>> add(std::string owner_id, std::string thread_id,
                                           NewMessage message, core::Deadline deadline);
  // Creates a thread with `message` as its first message, both or neither. `message.run_id`
  // must be empty (a new thread has no runs).
  asio::awaitable<ChatResult<ThreadWithMessage>> start_thread(std::string owner_id,
                                                              NewThread thread, NewMessage message,
                                                              core::Deadline deadline);
  // Oldest first, in the order added, with the thread's total. limit 1–100.
  asio::awaitable<ChatResult<MessagePage>> list(std::string owner_id, std::string thread_id,
                                                int64_t limit, int64_t offset,
                                                core::Deadline deadline);
  // The `limit` messages (1–100) just before `before` — the latest when it is empty — oldest
  // first: how a client scrolls back, page by page, without offsets that shift as messages
  // arrive. A `before` that is not a message of this thread is `invalid` (field before).
  asio::awaitable<ChatResult<MessageHistory>> history(std::string owner_id, std::string thread_id,
                                                      std::optional<std::string> before,
                                                      int64_t limit, core::Deadline deadline);

 private:
  db::Database& db_;
  UnixClock clock_;
};

}  // namespace netra::chat
