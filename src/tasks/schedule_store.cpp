#include "tasks/schedule_store.hpp"

namespace netra::tasks {

namespace {

const std::string kDeclare =
    "INSERT INTO job_schedules (name, every_ms, next_run_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO UPDATE SET every_ms = excluded.every_ms";
const std::string kClaimDue =
    "UPDATE job_schedules SET next_run_at = $2 + every_ms, last_run_at = $2, last_owner = $3 "
    "WHERE name = $1 AND next_run_at <= $2";

}  // namespace

boost::asio::awaitable<db::DbResult<db::Done>> ScheduleStore::declare(
    std::string name, std::chrono::milliseconds every, core::Deadline deadline) {
  db::Params values{std::move(name), static_cast<int64_t>(every.count()), clock_()};
  auto declared = co_await db_.query(kDeclare, std::move(values), deadline, "schedules.declare");
  if (!declared) co_return declared.error();
  co_return db::Done{};
}

boost::asio::awaitable<db::DbResult<bool>> ScheduleStore::claim_due(std::string name,
                                                                    std::string owner,
                                                                    core::Deadline deadline) {
  db::Params values{std::move(name), clock_(), std::move(owner)};
  auto claimed = co_await db_.query(kClaimDue, std::move(values), deadline, "schedules.claim");
  if (!claimed) co_return claimed.error();
  co_return claimed->affected_rows > 0;
}

}  // namespace netra::tasks
