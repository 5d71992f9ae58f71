// ChatStore: the chat stores over one Database, as the chat routes, the WebSocket channel
// and the agent supervisor take them.
#pragma once

#include "chat/message_store.hpp"
#include "chat/report_store.hpp"
#include "chat/run_store.hpp"
#include "chat/thread_store.hpp"

namespace netra::chat {

struct ChatStore {
  explicit ChatStore(db::Database& db, const UnixClock& clock = core::unix_ms_now)
      : threads(db, clock), messages(db, clock), runs(db, clock), reports(db) {}

  ThreadStore threads;
  MessageStore messages;
  RunStore runs;
  ReportStore reports;
};

}  // namespace netra::chat
