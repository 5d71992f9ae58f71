// ThreadEvents: tells every socket of a user — on every instance, through the run-event fan-out —
// that one of their threads was created, renamed or deleted, whether that happened over REST or
// over a socket, so that each open client keeps its thread list without asking again.
#pragma once

#include <functional>
#include <string>

#include "chat/chat_types.hpp"

namespace netra::api {

class ThreadEvents {
 public:
  // How a message reaches the user's sockets (RunEventFanout::send); empty: nowhere (a service
  // without /ws).
  using Send = std::function<void(const std::string& user_id, std::string text)>;
  explicit ThreadEvents(Send send = {}) : send_(std::move(send)) {}

  void created(const chat::Thread& thread) const;  // thread_created {thread}
  void renamed(const chat::Thread& thread) const;  // thread_renamed {thread}
  void deleted(const std::string& user_id, const std::string& thread_id) const;  // thread_deleted

 private:
  void send(const std::string& user_id, std::string text) const {
    if (send_) send_(user_id, std::move(text));
  }
  Send send_;
};

}  // namespace netra::api
