// ScheduleStore: recurring work in the database (job_schedules, migration 0006), each schedule
// run once per period across the cluster: an instance that finds a schedule due claims its next
// run time in one conditional update, and only the instance whose update took it runs it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::tasks {

class ScheduleStore {
 public:
  using UnixClock = std::function<int64_t()>;  // Unix ms
  ScheduleStore(db::Database& db, UnixClock clock) : db_(db), clock_(std::move(clock)) {}

  // Declares `name` with its period (a changed period replaces the old one); a new schedule is
  // due at once, an existing one keeps its next run time.
  boost::asio::awaitable<db::DbResult<db::Done>> declare(std::string name,
                                                         std::chrono::milliseconds every,
                                                         core::Deadline deadline);
  // True when `name` was due and `owner` took this period's run (its next run time moved on by
  // one period from now); false when it is not due or another instance took it.
  boost::asio::awaitable<db::DbResult<bool>> claim_due(std::string name, std::string owner,
                                                       core::Deadline deadline);

 private:
  db::Database& db_;
  UnixClock clock_;
};

}  // namespace netra::tasks
