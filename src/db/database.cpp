#include "db/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "db/detail/driver.hpp"

namespace netra::db {

using ConnectionPool = core::Pool<detail::DriverConnection>;

struct Database::Shared {
  Shared(core::BreakerOptions breaker_options) : breaker("database", breaker_options) {}
  std::unique_ptr<detail::Driver> driver;
  std::unique_ptr<ConnectionPool> pool;
  core::CircuitBreaker breaker;
  size_t pool_max = 0;
  DatabaseObserver observer;

  // Every outcome goes through here: the breaker learns from it (only a server that is down or
  // too slow counts against it, not a refused statement or our own full pool) and the observer
  // counts it.
  template <typename T>
  void account(const DbResult<T>& result) {
    const bool server_ok = result.ok() || !(result.error().code == DbErrorCode::unavailable ||
                                            result.error().code == DbErrorCode::timeout);
    breaker.record(server_ok);
    if (!result.ok() && observer.failed) observer.failed(result.error().code);
  }

  // A connection for one call, or why there is none: the breaker is open, or the pool could not
  // give one (busy, or connecting failed — which the breaker and the observer hear about).
  asio::awaitable<core::Result<ConnectionPool::Lease, DbError>> checked_lease(
      std::string owner, core::Deadline deadline);

  asio::awaitable<core::Result<ConnectionPool::Lease, core::PoolError>> acquire(
      std::string owner, core::Deadline deadline) {
    const auto began = std::chrono::steady_clock::now();
    auto lease = co_await pool->acquire(std::move(owner), deadline);
    if (observer.acquired) {
      observer.acquired(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(),
          !lease.ok() && lease.error().kind == core::PoolError::Kind::busy);
    }
    co_return lease;
  }
};

struct Transaction::State {
  std::shared_ptr<Database::Shared> shared;
  ConnectionPool::Lease lease;
  core::Deadline deadline;
  asio::any_io_executor executor;
  bool finished = false;
};

namespace {

DbError pool_error(const core::PoolError& e) {
  if (e.kind == core::PoolError::Kind::busy) return {DbErrorCode::busy, e.message};
  return {DbErrorCode::unavailable, e.message};
}

DbError breaker_open_error(const core::CircuitBreaker& breaker) {
  const auto s = breaker.snapshot();
  return {DbErrorCode::unavailable, "the database is failing (" + std::to_string(s.failures) +
                                        " of the last " + std::to_string(s.calls) +
                                        " calls); circuit breaker open, failing fast"};
}

DbError finished_error() {
  return {DbErrorCode::invalid, "the transaction has already been committed or rolled back"};
}

// Rolls back and then returns the connection: what a Transaction dropped without commit does.
asio::awaitable<void> roll_back_and_release(ConnectionPool::Lease lease, core::Deadline deadline) {
  auto result = co_await lease->execute("ROLLBACK", {}, deadline);
  if (!result) lease.discard();
}

}  // namespace

asio::awaitable<core::Result<ConnectionPool::Lease, DbError>> Database::Shared::checked_lease(
    std::string owner, core::Deadline deadline) {
  if (!breaker.allow()) co_return breaker_open_error(breaker);
  auto lease = co_await acquire(std::move(owner), deadline);
  if (!lease) {
    const DbResult<Done> failed = pool_error(lease.error());
    account(failed);
    co_return failed.error();
  }
  co_return std::move(lease.value());
}

Database::Database(std::unique_ptr<detail::Driver> driver, core::PoolOptions pool_options,
                   ConnectionPool::LeakReport leak_report, core::BreakerOptions breaker_options,
                   DatabaseObserver observer)
    : shared_(std::make_shared<Shared>(breaker_options)) {
  shared_->observer = std::move(observer);
  shared_->driver = std::move(driver);
  shared_->pool_max = pool_options.max_size;
  auto* raw_driver = shared_->driver.get();
  shared_->pool = std::make_unique<ConnectionPool>(
      pool_options,
      [raw_driver, timeout = pool_options.acquire_timeout]()
          -> asio::awaitable<core::Result<std::unique_ptr<detail::DriverConnection>, std::string>> {
        co_return co_await raw_driver->connect(core::Deadline::after(timeout));
      },
      [](detail::DriverConnection& c) -> asio::awaitable<bool> {
        auto r = co_await c.execute("SELECT 1", {}, core::Deadline::after(std::chrono::seconds(2)));
        co_return r.ok() && !c.broken();
      },
      std::move(leak_report));
}

Database::~Database() = default;

asio::awaitable<DbResult<QueryResult>> Database::query(std::string sql, Params params,
                                                       core::Deadline deadline, std::string owner) {
  auto shared = shared_;
  auto lease = co_await shared->checked_lease(std::move(owner), deadline);
  if (!lease) co_return lease.error();
  auto result = co_await lease.value()->execute(sql, params, deadline);
  shared->account(result);
  if (lease.value()->broken()) lease.value().discard();
  co_return result;
}

asio::awaitable<DbResult<Transaction>> Database::begin(core::Deadline deadline, std::string owner) {
  auto shared = shared_;
  auto lease = co_await shared->checked_lease(std::move(owner), deadline);
  if (!lease) co_return lease.error();
  auto started = co_await lease.value()->execute(shared->driver->begin_statement(), {}, deadline);
  shared->account(started);
  if (!started) {
    lease.value().discard();
    co_return started.error();
  }
  auto executor = co_await asio::this_coro::executor;
  co_return Transaction(std::unique_ptr<Transaction::State>(
      new Transaction::State{shared, std::move(lease.value()), deadline, executor, false}));
}

std::string Database::driver_name() const {
  return shared_->driver->name();
}
std::string Database::describe() const {
  return shared_->driver->describe();
}
core::PoolStats Database::pool_stats() const {
  return shared_->pool->stats();
}
void Database::check_leaks() {
  shared_->pool->check_leaks();
}
void Database::close_idle() {
  shared_->pool->close_idle();
}
const core::CircuitBreaker& Database::breaker() const {
  return shared_->breaker;
}
size_t Database::pool_max() const {
  return shared_->pool_max;
}

asio::awaitable<DbResult<Done>> Database::warm_up(size_t count, core::Deadline deadline) {
  auto shared = shared_;
  std::vector<ConnectionPool::Lease> held;
  while (held.size() < count && shared->pool->stats().total < count) {
    auto lease = co_await shared->acquire("pool warm-up", deadline);
    if (!lease) co_return pool_error(lease.error());
    held.push_back(std::move(lease.value()));
  }
  co_return Done{};  // the leases go back to the pool, open and idle
}

Transaction::Transaction(std::unique_ptr<State> state) : state_(std::move(state)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;

Transaction::~Transaction() {
  if (!state_ || state_->finished) return;
  // The caller did not commit: roll back before the connection serves anyone else.
  asio::co_spawn(state_->executor,
                 roll_back_and_release(std::move(state_->lease),
                                       core::Deadline::after(std::chrono::seconds(5))),
                 asio::detached);
}

asio::awaitable<DbResult<QueryResult>> Transaction::query(std::string sql, Params params) {
  if (!state_ || state_->finished) co_return finished_error();
  auto result = co_await state_->lease->execute(sql, params, state_->deadline);
  if (state_->lease->broken()) {
    state_->lease.discard();
    state_->finished = true;
    state_->lease = {};
  }
  co_return result;
}

asio::awaitable<DbResult<Done>> Transaction::commit() {
  if (!state_ || state_->finished) co_return finished_error();
  state_->finished = true;
  auto result = co_await state_->lease->execute("COMMIT", {}, state_->deadline);
  if (!result) {
    state_->lease.discard();  // state unknown: never reuse it
    state_->lease = {};
    co_return result.error();
  }
  state_->lease = {};
  co_return Done{};
}

asio::awaitable<DbResult<Done>> Transaction::rollback() {
  if (!state_ || state_->finished) co_return finished_error();
  state_->finished = true;
  auto result = co_await state_->lease->execute("ROLLBACK", {}, state_->deadline);
  if (!result) state_->lease.discard();
  state_->lease = {};
  if (!result) co_return result.error();
  co_return Done{};
}

}  // namespace netra::db
