// Driver: the seam between Database and a database engine. A driver opens connections; a
// connection runs one statement at a time with bound parameters under a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "core/deadline.hpp"
#include "core/result.hpp"
#include "db/db_error.hpp"
#include "db/query_result.hpp"

namespace netra::db::detail {

namespace asio = boost::asio;

class DriverConnection {
 public:
  virtual ~DriverConnection() = default;
  // Runs one statement. Called by one coroutine at a time.
  virtual asio::awaitable<DbResult<QueryResult>> execute(const std::string& sql,
                                                         const Params& params,
                                                         core::Deadline deadline) = 0;
  // True once the connection cannot be trusted again (lost, or a call was abandoned midway):
  // the pool closes it instead of reusing it.
  virtual bool broken() const = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>> connect(
      core::Deadline deadline) = 0;
  virtual std::string name() const = 0;  // "sqlite", "postgres"
  // The statement that opens a write transaction ("BEGIN", or "BEGIN IMMEDIATE" so SQLite takes
  // its single writer lock up front instead of failing at the first write).
  virtual std::string begin_statement() const = 0;
  // Where it connects, with any password shown as ***.
  virtual std::string describe() const = 0;
};

}  // namespace netra::db::detail
