// Database: the one way the rest of the code talks to its database — statements with bound
// parameters, typed rows, transactions with an explicit commit — over a pool of connections of
// one driver (PostgreSQL or the embedded SQLite), every call under a deadline.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/circuit_breaker.hpp"
#include "core/deadline.hpp"
#include "core/pool.hpp"
#include "db/db_error.hpp"
#include "db/query_result.hpp"

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
};

class Transaction;

class Database {
 public:
  // Calls go through a circuit breaker named "database": while it is open they fail fast with
  // `unavailable` instead of waiting on a server that is down.
  Database(std::unique_ptr<detail::Driver> driver, core::PoolOptions pool_options,
           core::Pool<detail::DriverConnection>::LeakReport leak_report = {},
           core::BreakerOptions breaker_options = {}, DatabaseObserver observer = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // One statement on a pooled connection (its own implicit transaction). `owner` names the route
  // or task for leak reports.
  asio::awaitable<DbResult<QueryResult>> query(std::string sql, Params params,
                                               core::Deadline deadline,
                                               std::string owner = "query");

  // Starts a transaction on a connection of its own; it is rolled back unless committed.
  asio::awaitable<DbResult<Transaction>> begin(core::Deadline deadline,
                                               std::string owner = "transaction");

  std::string driver_name() const;
  std::string describe() const;  // where it connects, password as ***
  core::PoolStats pool_stats() const;
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

  asio::awaitable<DbResult<QueryResult>> query(std::string sql, Params params = {});
  // After commit() or rollback() the transaction is finished; further queries fail as invalid.
  asio::awaitable<DbResult<Done>> commit();
  asio::awaitable<DbResult<Done>> rollback();

 private:
  friend class Database;
  struct State;
  explicit Transaction(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace netra::db
