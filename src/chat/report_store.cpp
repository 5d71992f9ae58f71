#include "chat/report_store.hpp"

#include "chat/chat_validation.hpp"
#include "chat/detail/chat_rows.hpp"

namespace netra::chat {

using detail::failed;
using detail::params;

namespace {

const std::string kVisibleReports =
    "FROM messages m JOIN threads t ON t.id = m.thread_id JOIN runs r ON r.id = m.run_id "
    "WHERE t.owner_id = $1 AND t.archived_at IS NULL AND m.role = 'assistant' ";
const std::string kLatest = "SELECT m.id, m.thread_id, m.run_id, m.created_at, r.user_request " +
                            kVisibleReports + "ORDER BY m.created_at DESC, m.id DESC LIMIT $2";
// A run stores one report; should a retry ever store two, the newest is the run's.
const std::string kOfRun =
    "SELECT m.id, m.thread_id, m.run_id, m.created_at, r.user_request, m.content " +
    kVisibleReports + "AND m.run_id = $2 ORDER BY m.created_at DESC LIMIT 1";

Report report_from(const db::QueryResult& r, size_t i, bool with_content) {
  const auto& x = r.rows[i];
  Report report{x.text(r.column("run_id")),      x.text(r.column("thread_id")),
                x.text(r.column("id")),          x.text(r.column("user_request")),
                x.int64(r.column("created_at")), {}};
  if (with_content) report.content = x.text(r.column("content"));
  return report;
}

}  // namespace

asio::awaitable<ChatResult<std::vector<Report>>> ReportStore::latest(std::string owner_id,
                                                                     int64_t limit,
                                                                     core::Deadline deadline) {
  if (auto bad = check_page(limit, 0)) co_return ChatError::invalid(*bad);
  auto values = params({std::move(owner_id), limit});
  auto found = co_await db_.query(kLatest, std::move(values), deadline, "reports.latest");
  if (!found) co_return failed(found.error());
  std::vector<Report> reports;
  reports.reserve(found->rows.size());
  for (size_t i = 0; i < found->rows.size(); ++i) reports.push_back(report_from(*found, i, false));
  co_return reports;
}

asio::awaitable<ChatResult<Report>> ReportStore::of_run(std::string owner_id, std::string run_id,
                                                        core::Deadline deadline) {
  if (auto bad = check_id(run_id, IdKind::run, "run_id")) co_return ChatError::invalid(*bad);
  auto values = params({std::move(owner_id), std::move(run_id)});
  auto found = co_await db_.query(kOfRun, std::move(values), deadline, "reports.of_run");
  if (!found) co_return failed(found.error());
  if (found->empty()) co_return ChatError::not_found("report");
  co_return report_from(*found, 0, true);
}

}  // namespace netra::chat
