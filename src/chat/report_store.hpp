// ReportStore: the agent's reports — each the assistant message a completed run stored in its
// thread — newest first across a user's threads, or one by its run. What MCP clients read as
// resources and with get_report; the thread's messages remain where the chat API reads them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "chat/chat_error.hpp"
#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::chat {

namespace asio = boost::asio;

struct Report {
  std::string run_id;
  std::string thread_id;
  std::string message_id;
  std::string request;     // what the user asked the run for
  int64_t created_at = 0;  // Unix ms
  std::string content;     // markdown; empty in a listing
};

// A thread that is not the caller's, or archived, shows none of its reports.
class ReportStore {
 public:
  explicit ReportStore(db::Database& db) : db_(db) {}

  // The owner's latest `limit` reports (1–100), newest first, without their content.
  asio::awaitable<ChatResult<std::vector<Report>>> latest(std::string owner_id, int64_t limit,
                                                          core::Deadline deadline);
  // The report of the owner's run; not_found for a run that is not theirs or stored none (it
  // failed, or has not completed yet).
  asio::awaitable<ChatResult<Report>> of_run(std::string owner_id, std::string run_id,
                                             core::Deadline deadline);

 private:
  db::Database& db_;
};

}  // namespace netra::chat
