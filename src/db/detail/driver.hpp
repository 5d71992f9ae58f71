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

// What DriverConnection::execute_wrapped did: the statement's result (or the first error) and
// which part failed, so a transaction knows whether it began and whether it committed.
struct WrappedResult {
  enum class Failed { none, before, statement, after };
  DbResult<QueryResult> result;
  Failed failed = Failed::none;
};

class DriverConnection {
 public:
  virtual ~DriverConnection() = default;
  // Runs one statement. Called by one coroutine at a time.
  virtual asio::awaitable<DbResult<QueryResult>> execute(const std::string& sql,
                                                         const Params& params,
                                                         core::Deadline deadline) = 0;
  // Runs `before` (unless empty), then `sql`, then `after` (unless empty; only once `sql`
  // succeeded) — `before` and `after` are statements without parameters, such as BEGIN and
  // COMMIT. As one call where the driver can: SQLite makes one trip to its thread instead of
  // three, which is what a writer spends most of its turn at the write lock on. By default,
  // three calls of execute().
  virtual asio::awaitable<WrappedResult> execute_wrapped(const std::string& before,
                                                         const std::string& sql,
                                                         const Params& params,
                                                         const std::string& after,
                                                         core::Deadline deadline);
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
  // How many connections may write at once; 0 for no limit. With a limit the Database keeps that
  // many connections for writes (transactions and statements other than SELECT) in a pool of
  // their own, so writers queue on the event loop for one instead of waiting for the engine's
  // write lock on a thread that the holder of the lock may need for its next statement.
  virtual size_t max_writers() const { return 0; }
  // Where it connects, with any password shown as ***.
  virtual std::string describe() const = 0;
};

}  // namespace netra::db::detail
