// Database: the one way the rest of the code talks to its database — statements with bound
// parameters, typed rows, transactions with an explicit commit — over a pool of connections of
// one driver (PostgreSQL or the embedded SQLite), every call under a deadline.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/circuit_breaker.hpp"
#include "core/deadline.hpp"
#include "core/pool.hpp"
#include "db/db_error.hpp"
#include "db/query_result.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::db {

namespace asio = boost::asio;

namespace detail {
class Driver;
class DriverConnection;
}  // namespace detail

struct Done {};

// Told about every pool acquisition and every failed call, for metrics. Called on event loops.
struct DatabaseObserver {
  std::function<void(double wait_seconds, bool busy)> acquired;
  std::function<void(DbErrorCode code)> failed;
  // Each statement as it is sent, with its bound values (benchmarks replay exactly what a store
  // sends). Called on the caller's event loop; never log the values, they may be secrets.
  std::function<void(const std::string& sql, const Params& params)> statement;
  // Each statement once its driver answered, after `seconds` on its connection (the wait for one
  // not included), and whether it succeeded: for latency metrics and the slow-statement log.
  // Called on the caller's event loop.
  std::function<void(const std::string& sql, double seconds, bool ok)> finished;
};

// What a statement does, from its first word, upper-case ("SELECT", "INSERT", "WITH"): a label
// for its span and metrics that never holds a value.
std::string statement_operation(std::string_view sql);

class Transaction;

// How long one call may take. `query_timeout`: database.query_timeout_ms from the moment the call
// starts (waiting for a connection included), within the caller's deadline — so a server that
// has frozen fails a call after that long, not after the whole request's deadline, and the
// breaker opens after a few such calls. `caller_deadline`: the caller's deadline alone, for work
// known to take long (migrations). `queued`: waits for its connection until the caller's
// deadline (neither the query timeout nor the acquire timeout), then each statement has the
// query timeout — for a batch that waits its turn behind SQLite's one writer while other
// batches write, instead of failing as busy, yet fails fast on a frozen server.
enum class CallLimit { query_timeout, caller_deadline, queued };

class Database {
 public:
  // Calls go through a circuit breaker named "database": while it is open they fail fast with
  // `unavailable` instead of waiting on a server that is down; only a server that is down or too
  // slow counts against it, never waiting for a connection or another writer's lock. Where the
  // driver allows fewer writers than connections (SQLite), writes use a pool of their own.
  Database(std::unique_ptr<detail::Driver> driver, core::PoolOptions pool_options,
           core::Pool<detail::DriverConnection>::LeakReport leak_report = {},
           core::BreakerOptions breaker_options = {}, DatabaseObserver observer = {},
           std::chrono::milliseconds query_timeout = std::chrono::milliseconds::zero());
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // One statement on a pooled connection (its own implicit transaction). `owner` names the route
  // or task for leak reports.
  asio::awaitable<DbResult<QueryResult>> query(std::string sql, Params params,
                                               core::Deadline deadline, std::string owner = "query",
                                               CallLimit limit = CallLimit::query_timeout);

  // Starts a transaction on a connection of its own (a write connection); it is rolled back
  // unless committed. The driver's BEGIN runs with the first statement. Under
  // CallLimit::query_timeout, waiting for the connection and then each statement (COMMIT
  // included) has the query timeout, all within `deadline`.
  asio::awaitable<DbResult<Transaction>> begin(core::Deadline deadline,
                                               std::string owner = "transaction",
                                               CallLimit limit = CallLimit::query_timeout);

  std::string driver_name() const;
  std::string describe() const;  // where it connects, password as ***
  core::PoolStats pool_stats() const;
  // The write connections' pool, where the driver allows fewer writers than connections (SQLite:
  // one): transactions and every statement but a SELECT wait for it on the event loop.
  std::optional<core::PoolStats> writer_pool_stats() const;
  size_t max_writers() const;  // 0: any connection writes
  void check_leaks();
  // Closes the idle connections (at shutdown); leased ones close when returned.
  void close_idle();
  const core::CircuitBreaker& breaker() const;
  // Opens connections until `count` are open (database.pool_min), so the first requests do not
  // pay for connecting. Fails like a query does.
  asio::awaitable<DbResult<Done>> warm_up(size_t count, core::Deadline deadline);
  size_t pool_max() const;

 private:
  friend class Transaction;
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  // Not committed: rolled back (asynchronously) before its connection is reused.
  ~Transaction();

  // The transaction begins with its first statement, in the same call to the driver.
  asio::awaitable<DbResult<QueryResult>> query(std::string sql, Params params = {});
  // Runs a last statement and commits, in one call where the driver can (SQLite: one trip to
  // its thread, so a writer holds the write lock for less time). When the statement fails
  // nothing is committed and the transaction stays open (to roll back, or drop); when COMMIT
  // fails the transaction is finished and its outcome unknown.
  asio::awaitable<DbResult<QueryResult>> query_then_commit(std::string sql, Params params = {});
  // After commit() or rollback() the transaction is finished; further queries fail as invalid.
  asio::awaitable<DbResult<Done>> commit();
  asio::awaitable<DbResult<Done>> rollback();

 private:
  friend class Database;
  struct State;
  explicit Transaction(std::unique_ptr<State> state);
  asio::awaitable<DbResult<QueryResult>> run(std::string sql, Params params, bool then_commit);
  std::unique_ptr<State> state_;
};

struct DatabaseSettings;

// A Database over the driver `settings.url` names, pooled by settings.pool: what a layer above
// opens (the drivers stay in db/detail). Throws core::ConfigurationError for settings
// validate_settings refuses.
std::unique_ptr<Database> open_database(const DatabaseSettings& settings,
                                        core::OffloadPool& offload, DatabaseObserver observer = {});

}  // namespace netra::db
