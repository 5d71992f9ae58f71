#include "db/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <cctype>
#include <string_view>

#include "core/task_failures.hpp"
#include "db/detail/driver.hpp"
#include "telemetry/active_span.hpp"

namespace netra::db {

using ConnectionPool = core::Pool<detail::DriverConnection>;

// Which connections a call needs: any, or one allowed to write (the same pool unless the driver
// limits writers).
enum class Access { read, write };

struct Database::Shared {
  Shared(core::BreakerOptions breaker_options) : breaker("database", breaker_options) {}
  std::unique_ptr<detail::Driver> driver;
  std::unique_ptr<ConnectionPool> pool;     // every call, or only reads when `writers` exists
  std::unique_ptr<ConnectionPool> writers;  // driver.max_writers() connections, when it is > 0
  core::CircuitBreaker breaker;
  size_t pool_max = 0;
  DatabaseObserver observer;
  std::chrono::milliseconds query_timeout{0};  // 0: none

  // The deadline of one call (or one statement of a transaction) that starts now.
  core::Deadline limited(core::Deadline deadline, CallLimit limit) const {
    if (limit == CallLimit::caller_deadline || query_timeout.count() == 0) return deadline;
    return deadline.capped(query_timeout);
  }
  // How long a call that starts now may wait for its connection.
  core::Deadline wait_limit(core::Deadline deadline, CallLimit limit) const {
    return limit == CallLimit::queued ? deadline : limited(deadline, limit);
  }

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

  void sending(const std::string& sql, const Params& params) const {
    if (observer.statement) observer.statement(sql, params);
  }

  // A connection for one call, or why there is none: the breaker is open, or the pool could not
  // give one (busy, or connecting failed — which the breaker and the observer hear about).
  asio::awaitable<core::Result<ConnectionPool::Lease, DbError>> checked_lease(
      std::string owner, core::Deadline deadline, Access access, CallLimit limit);

  ConnectionPool& pool_for(Access access) {
    return access == Access::write && writers ? *writers : *pool;
  }

  // Beyond CallLimit::query_timeout the wait for a connection has the caller's deadline, not the
  // acquire timeout: long work (a batch of events, a migration) waits its turn.
  asio::awaitable<core::Result<ConnectionPool::Lease, core::PoolError>> acquire(
      std::string owner, core::Deadline deadline, Access access, CallLimit limit) {
    const auto began = std::chrono::steady_clock::now();
    const auto wait = limit == CallLimit::query_timeout ? core::AcquireWait::acquire_timeout
                                                        : core::AcquireWait::caller_deadline;
    auto lease = co_await pool_for(access).acquire(std::move(owner), deadline, wait);
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
  CallLimit limit;
  asio::any_io_executor executor;
  // The driver's BEGIN, until it has run: it goes with the first statement in one call.
  std::string pending_begin;
  bool finished = false;

  // The lease, given back as it is (nothing began) or closed (its state is unknown).
  void release(bool reusable) {
    if (!reusable) lease.discard();
    lease = {};
    finished = true;
  }
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

// The deadline passed while the call waited for a connection (behind other writers, say): the
// statement never reached the database, so the breaker does not hear of it.
DbError expired_before_running() {
  return {DbErrorCode::timeout, "deadline passed before the statement ran"};
}

// Whether `word` (lower case) starts `sql` at `at`, as a whole word in any case.
bool word_at(std::string_view sql, size_t at, std::string_view word) {
  if (sql.size() - at < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(sql[at + k])) != word[k]) return false;
  }
  const size_t after = at + word.size();
  const bool starts =
      at == 0 || !(std::isalnum(static_cast<unsigned char>(sql[at - 1])) || sql[at - 1] == '_');
  return starts && (after == sql.size() ||
                    !(std::isalnum(static_cast<unsigned char>(sql[after])) || sql[after] == '_'));
}

// Whether a statement only reads, so that it may run on a reader connection. Conservative: a
// SELECT, or a WITH in which no word writes; anything else (PRAGMA, INSERT ... RETURNING, a WITH
// whose text merely mentions "delete") takes a writer's connection, which costs a wait, never
// correctness.
bool only_reads(std::string_view sql) {
  size_t i = 0;
  for (;;) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    if (sql.substr(i, 2) != "--") break;
    i = sql.find('\n', i);
    if (i == std::string_view::npos) return false;
  }
  if (word_at(sql, i, "select")) return true;
  if (!word_at(sql, i, "with")) return false;
  for (size_t at = i; at < sql.size(); ++at) {
    for (std::string_view writes : {"insert", "update", "delete", "replace"}) {
      if (word_at(sql, at, writes)) return false;
    }
  }
  return true;
}

// The client span of one statement, in a sampled trace: named by its first word ("SELECT"), with
// the SQL text, whose parameters are bound ($1, ?), so it never holds a value.
telemetry::ActiveSpan statement_span(const detail::Driver& driver, const std::string& sql) {
  if (!telemetry::recording_now()) {
    return telemetry::ActiveSpan(nullptr, "", telemetry::SpanKind::client);
  }
  std::string operation = statement_operation(sql);
  telemetry::ActiveSpan span(operation.empty() ? "statement" : operation,
                             telemetry::SpanKind::client);
  if (span.recording()) {
    const auto name = driver.name();
    span.set("db.system", name == "postgres" ? std::string("postgresql") : name);
    span.set("db.operation.name", std::move(operation));
    span.set("db.query.text", sql);
  }
  return span;
}

// A statement's end: its span, and the observer with its time on the connection.
template <typename T>
void statement_ended(const DatabaseObserver& observer, const std::string& sql,
                     std::chrono::steady_clock::time_point sent, telemetry::ActiveSpan& span,
                     const DbResult<T>& result) {
  if (!result.ok()) span.fail(result.error().message);
  span.end();
  if (observer.finished) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - sent;
    observer.finished(sql, took.count(), result.ok());
  }
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
    std::string owner, core::Deadline deadline, Access access, CallLimit limit) {
  if (!breaker.allow()) co_return breaker_open_error(breaker);
  auto lease = co_await acquire(std::move(owner), deadline, access, limit);
  if (!lease) {
    const DbResult<Done> failed = pool_error(lease.error());
    account(failed);
    co_return failed.error();
  }
  co_return std::move(lease.value());
}

Database::Database(std::unique_ptr<detail::Driver> driver, core::PoolOptions pool_options,
                   ConnectionPool::LeakReport leak_report, core::BreakerOptions breaker_options,
                   DatabaseObserver observer, std::chrono::milliseconds query_timeout)
    : shared_(std::make_shared<Shared>(breaker_options)) {
  shared_->observer = std::move(observer);
  shared_->query_timeout = query_timeout;
  shared_->driver = std::move(driver);
  shared_->pool_max = pool_options.max_size;
  auto* raw_driver = shared_->driver.get();
  auto make_pool = [&](core::PoolOptions options) {
    return std::make_unique<ConnectionPool>(
        options,
        [raw_driver](core::Deadline deadline)
            -> asio::awaitable<
                core::Result<std::unique_ptr<detail::DriverConnection>, std::string>> {
          co_return co_await raw_driver->connect(deadline);
        },
        [](detail::DriverConnection& c) -> asio::awaitable<bool> {
          auto r =
              co_await c.execute("SELECT 1", {}, core::Deadline::after(std::chrono::seconds(2)));
          co_return r.ok() && !c.broken();
        },
        leak_report);
  };
  shared_->pool = make_pool(pool_options);
  if (const size_t writers = shared_->driver->max_writers(); writers > 0) {
    core::PoolOptions writer_options = pool_options;
    writer_options.max_size = writers;
    shared_->writers = make_pool(writer_options);
  }
}

Database::~Database() = default;

asio::awaitable<DbResult<QueryResult>> Database::query(std::string sql, Params params,
                                                       core::Deadline caller_deadline,
                                                       std::string owner, CallLimit limit) {
  auto shared = shared_;
  auto span = statement_span(*shared->driver, sql);
  const Access access = only_reads(sql) ? Access::read : Access::write;
  const auto wait_by = shared->wait_limit(caller_deadline, limit);
  auto lease = co_await shared->checked_lease(std::move(owner), wait_by, access, limit);
  if (!lease) {
    span.fail(lease.error().message);
    co_return lease.error();
  }
  // Queued: the query timeout starts once the connection is this call's.
  const auto deadline =
      limit == CallLimit::queued ? shared->limited(caller_deadline, limit) : wait_by;
  if (wait_by.expired() || deadline.expired()) {
    span.fail("deadline passed before it ran");
    co_return expired_before_running();
  }
  shared->sending(sql, params);
  const auto sent = std::chrono::steady_clock::now();
  auto result = co_await lease.value()->execute(sql, params, deadline);
  shared->account(result);
  if (lease.value()->broken()) lease.value().discard();
  statement_ended(shared->observer, sql, sent, span, result);
  co_return result;
}

asio::awaitable<DbResult<Transaction>> Database::begin(core::Deadline deadline, std::string owner,
                                                       CallLimit limit) {
  auto shared = shared_;
  const auto acquire_by = shared->wait_limit(deadline, limit);
  auto lease = co_await shared->checked_lease(std::move(owner), acquire_by, Access::write, limit);
  if (!lease) co_return lease.error();
  if (acquire_by.expired()) co_return expired_before_running();
  auto executor = co_await asio::this_coro::executor;
  co_return Transaction(std::unique_ptr<Transaction::State>(
      new Transaction::State{shared, std::move(lease.value()), deadline, limit, executor,
                             shared->driver->begin_statement(), false}));
}

std::string statement_operation(std::string_view sql) {
  const size_t begins = sql.find_first_not_of(" \t\r\n");
  if (begins == std::string_view::npos) return "";
  const size_t ends = sql.find_first_of(" \t\r\n(;", begins);
  std::string operation(sql.substr(begins, ends - begins));
  for (auto& c : operation) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return operation;
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
std::optional<core::PoolStats> Database::writer_pool_stats() const {
  if (!shared_->writers) return std::nullopt;
  return shared_->writers->stats();
}
size_t Database::max_writers() const {
  return shared_->driver->max_writers();
}
void Database::check_leaks() {
  shared_->pool->check_leaks();
  if (shared_->writers) shared_->writers->check_leaks();
}
void Database::close_idle() {
  shared_->pool->close_idle();
  if (shared_->writers) shared_->writers->close_idle();
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
    auto lease =
        co_await shared->acquire("pool warm-up", deadline, Access::read, CallLimit::query_timeout);
    if (!lease) co_return pool_error(lease.error());
    held.push_back(std::move(lease.value()));
  }
  if (shared->writers && count > 0 && shared->writers->stats().total == 0) {
    auto lease =
        co_await shared->acquire("pool warm-up", deadline, Access::write, CallLimit::query_timeout);
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
  if (!state_->pending_begin.empty()) return;  // nothing began: the lease goes back as it is
  // The caller did not commit: roll back before the connection serves anyone else.
  asio::co_spawn(state_->executor,
                 roll_back_and_release(std::move(state_->lease),
                                       core::Deadline::after(std::chrono::seconds(5))),
                 core::detached_reporting("a transaction's roll-back"));
}

asio::awaitable<DbResult<QueryResult>> Transaction::run(std::string sql, Params params,
                                                        bool then_commit) {
  using Failed = detail::WrappedResult::Failed;
  auto& s = *state_;
  const std::string before = std::move(s.pending_begin);
  s.pending_begin.clear();
  const std::string after = then_commit ? "COMMIT" : "";
  auto span = statement_span(*s.shared->driver, sql);
  s.shared->sending(sql, params);
  const auto sent = std::chrono::steady_clock::now();
  auto wrapped = co_await s.lease->execute_wrapped(before, sql, params, after,
                                                   s.shared->limited(s.deadline, s.limit));
  if (!before.empty()) {
    // The breaker hears how the transaction began, as it hears of any statement.
    if (wrapped.failed == Failed::before) {
      s.shared->account(wrapped.result);
    } else {
      s.shared->account(DbResult<Done>(Done{}));
    }
  }
  if (s.lease->broken()) {
    s.release(false);
  } else if (wrapped.failed == Failed::before) {
    // Nothing began; a busy lock leaves the connection as good as it was.
    s.release(wrapped.result.error().code == DbErrorCode::busy);
  } else if (wrapped.failed == Failed::after) {
    s.release(false);  // whether COMMIT took effect is unknown: never reuse the connection
  } else if (then_commit && wrapped.failed == Failed::none) {
    s.release(true);
  }
  statement_ended(s.shared->observer, sql, sent, span, wrapped.result);
  co_return std::move(wrapped.result);
}

asio::awaitable<DbResult<QueryResult>> Transaction::query(std::string sql, Params params) {
  if (!state_ || state_->finished) co_return finished_error();
  auto result = co_await run(std::move(sql), std::move(params), false);
  co_return result;
}

asio::awaitable<DbResult<QueryResult>> Transaction::query_then_commit(std::string sql,
                                                                      Params params) {
  if (!state_ || state_->finished) co_return finished_error();
  auto result = co_await run(std::move(sql), std::move(params), true);
  co_return result;
}

asio::awaitable<DbResult<Done>> Transaction::commit() {
  if (!state_ || state_->finished) co_return finished_error();
  if (!state_->pending_begin.empty()) {
    state_->release(true);  // nothing ran: nothing to commit
    co_return Done{};
  }
  state_->finished = true;
  auto result = co_await state_->lease->execute(
      "COMMIT", {}, state_->shared->limited(state_->deadline, state_->limit));
  if (!result) {
    state_->release(false);  // state unknown: never reuse it
    co_return result.error();
  }
  state_->release(true);
  co_return Done{};
}

asio::awaitable<DbResult<Done>> Transaction::rollback() {
  if (!state_ || state_->finished) co_return finished_error();
  if (!state_->pending_begin.empty()) {
    state_->release(true);
    co_return Done{};
  }
  state_->finished = true;
  auto result = co_await state_->lease->execute(
      "ROLLBACK", {}, state_->shared->limited(state_->deadline, state_->limit));
  state_->release(result.ok());
  if (!result) co_return result.error();
  co_return Done{};
}

}  // namespace netra::db
