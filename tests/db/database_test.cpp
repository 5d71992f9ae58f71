// The repository-level suite of the database layer. Every test runs against each backend the
// environment provides: the embedded SQLite always, PostgreSQL when TEST_POSTGRES_URL
// names a server (scripts/test starts one), with the same assertions.
#include "db/database.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <future>
#include <thread>

#include "core/cpu_budget.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database_settings.hpp"
#include "db/detail/driver.hpp"
#include "db/migrations.hpp"
#include "support/child_process.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using db::DbErrorCode;
using db::Params;
using ::testing::HasSubstr;

struct Backend {
  std::string name;
};

std::vector<Backend> backends() {
  std::vector<Backend> out{{"sqlite"}};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back({"postgres"});
  return out;
}

class DatabaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    loops_.start();
    settings_.url = GetParam().name == "sqlite" ? "sqlite:" + dir_.file("test.db")
                                                : netra::testing::test_server("TEST_POSTGRES_URL");
  }
  void TearDown() override {
    if (db_) drop_tables();
    db_.reset();
    offload_.shutdown(1000ms);
    loops_.stop(1s);
  }

  static core::PoolOptions small_pool() {
    core::PoolOptions pool;
    pool.max_size = 4;
    pool.acquire_timeout = 2000ms;
    return pool;
  }

  db::Database& open(core::PoolOptions pool = small_pool()) {
    settings_.pool = pool;
    db_ =
        std::make_unique<db::Database>(db::make_driver(settings_, offload_), settings_.pool,
                                       [this](const std::string& owner, std::chrono::milliseconds) {
                                         std::lock_guard lock(mutex_);
                                         leaks_.push_back(owner);
                                       });
    drop_tables();
    must(R"(CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL,
                                 flag BOOLEAN, note TEXT))");
    return *db_;
  }

  template <typename T>
  T run(asio::awaitable<T> task) {
    return run_awaitable(loops_.context(0).get_executor(), std::move(task), 20s);
  }

  db::DbResult<db::QueryResult> sql(std::string statement, Params params = {},
                                    std::chrono::milliseconds budget = 5s) {
    return run(db_->query(std::move(statement), std::move(params), core::Deadline::after(budget)));
  }
  db::QueryResult must(std::string statement, Params params = {}) {
    auto r = sql(statement, std::move(params));
    if (!r) throw std::runtime_error(statement + ": " + r.error().message);
    return std::move(r).value();
  }
  void drop_tables() {
    for (const char* t : {"items", "t_failed", "schema_migrations", "m_one", "m_two", "m_three"}) {
      (void)sql(std::string("DROP TABLE IF EXISTS ") + t);
    }
  }

  TempDir dir_;
  core::EventLoops loops_{2, 10ms};
  core::OffloadPool offload_{4};
  db::DatabaseSettings settings_;
  std::unique_ptr<db::Database> db_;
  std::mutex mutex_;
  std::vector<std::string> leaks_;
};

TEST_P(DatabaseTest, BoundParametersRoundTripEveryType) {
  open();
  const std::string tricky = "O'Brien; DROP TABLE items; -- \\ \"quoted\" ünïcode ✓";
  must("INSERT INTO items (id, name, score, flag, note) VALUES ($1, $2, $3, $4, $5)",
       {int64_t{1}, tricky, 2.5, true, nullptr});
  auto r = must("SELECT id, name, score, flag, note FROM items WHERE name = $1", {tricky});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].int64(r.column("id")), 1);
  EXPECT_EQ(r.rows[0].text(1), tricky);
  EXPECT_DOUBLE_EQ(r.rows[0].real(2), 2.5);
  EXPECT_TRUE(r.rows[0].boolean(3));
  EXPECT_TRUE(r.rows[0].is_null(4));
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 1) << "the table survived";
}

// An empty text is a value, not NULL: the PostgreSQL driver asks libpq about NULL only for values
// of length 0. A value taken out of its row (Row::take_text, as records are built) leaves "".
TEST_P(DatabaseTest, AnEmptyTextIsNotNullAndATakenValueLeavesItsRow) {
  open();
  must("INSERT INTO items (id, name, note) VALUES ($1, $2, $3)",
       {int64_t{1}, std::string(), std::string()});
  must("INSERT INTO items (id, name, note) VALUES ($1, $2, $3)",
       {int64_t{2}, std::string("second"), nullptr});
  auto r = must("SELECT name, note FROM items ORDER BY id");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_FALSE(r.rows[0].is_null(0));
  EXPECT_FALSE(r.rows[0].is_null(1));
  EXPECT_EQ(r.rows[0].text(1), "");
  EXPECT_TRUE(r.rows[1].is_null(1));
  EXPECT_THROW(r.rows[1].take_text(1), db::ColumnError);
  EXPECT_EQ(r.rows[1].take_optional_text(1), std::nullopt);
  EXPECT_EQ(r.rows[1].take_text(0), "second");
  EXPECT_EQ(r.rows[1].text(0), "");
}

TEST_P(DatabaseTest, ParametersBindByNumberNotPosition) {
  open();
  must("INSERT INTO items (id, name) VALUES ($2, $1)", {std::string("second-first"), int64_t{7}});
  EXPECT_EQ(must("SELECT name FROM items WHERE id = 7").rows[0].text(0), "second-first");
}

TEST_P(DatabaseTest, AffectedRowsAreCounted) {
  open();
  for (int i = 0; i < 3; ++i)
    must("INSERT INTO items (id, name) VALUES ($1, $2)", {int64_t{i}, "n" + std::to_string(i)});
  EXPECT_EQ(must("UPDATE items SET score = 1 WHERE id < 2").affected_rows, 2);
}

TEST_P(DatabaseTest, ConstraintViolationIsReportedAsSuch) {
  open();
  must("INSERT INTO items (id, name) VALUES (1, 'a')");
  auto r = sql("INSERT INTO items (id, name) VALUES (2, 'a')");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DbErrorCode::constraint);
}

TEST_P(DatabaseTest, BadStatementIsInvalid) {
  open();
  auto r = sql("SELEC 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DbErrorCode::invalid);
}

// PostgreSQL prepares a repeated parameterised statement once per connection; the answers and
// the errors must be those of running it afresh each time.
TEST_P(DatabaseTest, RepeatedStatementsAnswerAsIfRunAfresh) {
  open();
  for (int i = 0; i < 5; ++i)
    must("INSERT INTO items (id, name) VALUES ($1, $2)", {int64_t{i}, "n" + std::to_string(i)});
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) {
      auto r = must("SELECT name FROM items WHERE id = $1", {int64_t{i}});
      ASSERT_EQ(r.rows.size(), 1u);
      EXPECT_EQ(r.rows[0].text(0), "n" + std::to_string(i));
    }
  }
  auto bad = sql("SELECT nope FROM items WHERE id = $1", {int64_t{1}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, DbErrorCode::invalid);
  EXPECT_NE(bad.error().message.find("nope"), std::string::npos) << bad.error().message;
  // Still the same pool, still answering.
  EXPECT_EQ(must("SELECT name FROM items WHERE id = $1", {int64_t{3}}).rows[0].text(0), "n3");
  // A statement that changes rows, repeated: each run counts its own.
  EXPECT_EQ(must("UPDATE items SET score = $1 WHERE id < $2", {1.5, int64_t{2}}).affected_rows, 2);
  EXPECT_EQ(must("UPDATE items SET score = $1 WHERE id < $2", {2.5, int64_t{4}}).affected_rows, 4);
}

TEST_P(DatabaseTest, CommittedTransactionPersists) {
  auto& db = open();
  run([&]() -> asio::awaitable<void> {
    auto tx = co_await db.begin(core::Deadline::after(5s));
    EXPECT_TRUE(tx.ok());
    auto ins = co_await tx->query("INSERT INTO items (id, name) VALUES (1, 'kept')");
    EXPECT_TRUE(ins.ok());
    auto done = co_await tx->commit();
    EXPECT_TRUE(done.ok());
    auto again = co_await tx->query("SELECT 1");
    EXPECT_FALSE(again.ok()) << "a finished transaction runs nothing";
  }());
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 1);
}

// The last statement and COMMIT in one call: committed when the statement succeeds; when it
// fails nothing is committed and the transaction is still there to roll back.
TEST_P(DatabaseTest, QueryThenCommitCommitsOnlyWhenTheStatementSucceeds) {
  auto& db = open();
  run([&]() -> asio::awaitable<void> {
    auto tx = co_await db.begin(core::Deadline::after(5s));
    EXPECT_TRUE(tx.ok());
    auto first = co_await tx->query("INSERT INTO items (id, name) VALUES (1, 'one')");
    EXPECT_TRUE(first.ok());
    auto last = co_await tx->query_then_commit("INSERT INTO items (id, name) VALUES (2, 'two')");
    EXPECT_TRUE(last.ok()) << (last ? "" : last.error().message);
    auto after = co_await tx->query("SELECT 1");
    EXPECT_FALSE(after.ok()) << "committed: the transaction is finished";

    auto failing = co_await db.begin(core::Deadline::after(5s));
    EXPECT_TRUE(failing.ok());
    auto third = co_await failing->query("INSERT INTO items (id, name) VALUES (3, 'three')");
    EXPECT_TRUE(third.ok());
    auto clash = co_await failing->query_then_commit(
        "INSERT INTO items (id, name) VALUES (4, 'one')");  // name is UNIQUE
    EXPECT_FALSE(clash.ok());
    if (!clash.ok()) {
      EXPECT_EQ(clash.error().code, DbErrorCode::constraint);
    }
    auto undone = co_await failing->rollback();
    EXPECT_TRUE(undone.ok()) << "the transaction stayed open after the failed statement";

    auto idle = co_await db.begin(core::Deadline::after(5s));  // begins with its first statement
    EXPECT_TRUE(idle.ok());
    auto nothing = co_await idle->commit();
    EXPECT_TRUE(nothing.ok());
  }());
  auto names = must("SELECT name FROM items ORDER BY id");
  ASSERT_EQ(names.rows.size(), 2u);
  EXPECT_EQ(names.rows[1].text(0), "two");
}

TEST_P(DatabaseTest, TransactionNotCommittedIsRolledBackAndItsConnectionReused) {
  core::PoolOptions one;
  one.max_size = 1;
  one.acquire_timeout = 3000ms;
  auto& db = open(one);
  run([&]() -> asio::awaitable<void> {
    auto tx = co_await db.begin(core::Deadline::after(5s));
    EXPECT_TRUE(tx.ok());
    auto ins = co_await tx->query("INSERT INTO items (id, name) VALUES (1, 'dropped')");
    EXPECT_TRUE(ins.ok());
  }());  // the transaction is dropped here, uncommitted
  // With a pool of one, this waits for the rollback to hand the connection back.
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 0);
}

TEST_P(DatabaseTest, PoolExhaustionAnswersBusyAfterTheAcquireTimeout) {
  core::PoolOptions two;
  two.max_size = 2;
  two.acquire_timeout = 300ms;
  auto& db = open(two);
  // Two slow statements hold both connections for a second (then their deadline ends them).
  const std::string slow = GetParam().name == "sqlite"
                               ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                                 "SELECT count(*) FROM c"
                               : "SELECT pg_sleep(10)";
  std::vector<std::future<db::DbResult<db::QueryResult>>> holders;
  for (int i = 0; i < 2; ++i) {
    holders.push_back(asio::co_spawn(loops_.context(i),
                                     db.query(slow, {}, core::Deadline::after(1000ms), "holder"),
                                     asio::use_future));
  }
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(db.pool_stats().in_use, 2u);
  const auto began = std::chrono::steady_clock::now();
  auto third = sql("SELECT 1");
  const auto waited = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, DbErrorCode::busy);
  EXPECT_THAT(third.error().message, HasSubstr("no connection free within 300 ms"));
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 900ms);
  for (auto& h : holders) h.wait();
  EXPECT_TRUE(sql("SELECT 1").ok()) << "returned connections serve the next caller";
}

// One writer of ManyWritersQueueInsteadOfStalling: two rows in one transaction, with a pause
// between them that holds the transaction (and SQLite's lock) but no thread. A function, not a
// lambda, and named arguments: g++ 12 mishandles both inside co_await.
asio::awaitable<db::DbResult<db::Done>> write_two_rows(db::Database& db, int n) {
  auto tx = co_await db.begin(core::Deadline::after(15s), "writer");
  if (!tx) co_return tx.error();
  const std::string sql = "INSERT INTO items (id, name) VALUES ($1, $2)";
  Params first_row{int64_t{2 * n}, "a" + std::to_string(n)};
  auto first = co_await tx->query(sql, std::move(first_row));
  if (!first) co_return first.error();
  asio::steady_timer pause(co_await asio::this_coro::executor, 5ms);
  co_await pause.async_wait(asio::use_awaitable);
  Params second_row{int64_t{2 * n + 1}, "b" + std::to_string(n)};
  auto second = co_await tx->query(sql, std::move(second_row));
  if (!second) co_return second.error();
  auto done = co_await tx->commit();
  co_return done;
}

// More writers than the driver has threads, each holding its transaction open across a pause:
// on SQLite they queue for the write connection on the event loop, so the one holding the lock
// always gets a thread for its next statement and COMMIT. Nothing fails, nothing waits for a
// busy timeout, the breaker hears of no failure, and reads answer meanwhile.
TEST_P(DatabaseTest, ManyWritersQueueInsteadOfStalling) {
  core::PoolOptions pool;
  pool.max_size = 8;
  pool.acquire_timeout = 10s;
  settings_.busy_timeout = 3000ms;
  auto& db = open(pool);
  constexpr int kWriters = 24;
  std::vector<std::future<db::DbResult<db::Done>>> writers;
  for (int n = 0; n < kWriters; ++n) {
    writers.push_back(
        asio::co_spawn(loops_.context(n % 2), write_two_rows(db, n), asio::use_future));
  }
  // Reads while the writers queue: each answers well within the busy timeout.
  for (int i = 0; i < 10; ++i) {
    const auto began = std::chrono::steady_clock::now();
    auto read = sql("SELECT count(*) FROM items");
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2s) << "a read waited behind writers";
  }
  for (auto& w : writers) {
    auto done = w.get();
    EXPECT_TRUE(done) << (done ? "" : done.error().message);
  }
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 2 * kWriters);
  const auto breaker = db.breaker().snapshot();
  EXPECT_EQ(breaker.failures, 0u);
  EXPECT_EQ(breaker.state, core::BreakerState::closed);
}

// Holds a transaction (on SQLite, the one writer) for `hold`, then commits.
asio::awaitable<db::DbResult<db::Done>> hold_a_transaction(db::Database& db,
                                                           std::chrono::milliseconds hold) {
  auto tx = co_await db.begin(core::Deadline::after(15s), "holder");
  if (!tx) co_return tx.error();
  auto inserted = co_await tx->query("INSERT INTO items (id, name) VALUES (1, 'held')", Params{});
  if (!inserted) co_return inserted.error();
  asio::steady_timer pause(co_await asio::this_coro::executor, hold);
  co_await pause.async_wait(asio::use_awaitable);
  auto done = co_await tx->commit();
  co_return done;
}

// A transaction that began under `limit`, wrote a row and committed.
asio::awaitable<db::DbResult<db::Done>> write_one_row(db::Database& db, db::CallLimit limit,
                                                      int64_t id) {
  auto tx = co_await db.begin(core::Deadline::after(5s), "writer", limit);
  if (!tx) co_return tx.error();
  Params row{id, "w" + std::to_string(id)};
  auto inserted = co_await tx->query("INSERT INTO items (id, name) VALUES ($1, $2)", row);
  if (!inserted) co_return inserted.error();
  auto done = co_await tx->commit();
  co_return done;
}

// A long batch holds the only connection that writes: a call that waits under the query timeout
// answers busy after the acquire timeout, one that is queued waits its turn and commits — what a
// second batch of workload events does behind the first.
TEST_P(DatabaseTest, AQueuedTransactionWaitsItsTurnPastTheAcquireTimeout) {
  core::PoolOptions one;
  one.max_size = 1;
  one.acquire_timeout = 200ms;
  auto& db = open(one);
  auto holder = asio::co_spawn(loops_.context(1), hold_a_transaction(db, 800ms), asio::use_future);
  std::this_thread::sleep_for(100ms);
  const auto began = std::chrono::steady_clock::now();
  auto impatient = run(write_one_row(db, db::CallLimit::query_timeout, 2));
  ASSERT_FALSE(impatient.ok());
  EXPECT_EQ(impatient.error().code, DbErrorCode::busy) << impatient.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - began, 600ms);
  auto queued = run(write_one_row(db, db::CallLimit::queued, 3));
  EXPECT_TRUE(queued.ok()) << queued.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - began, 600ms) << "it did not wait for the holder";
  ASSERT_TRUE(holder.get().ok());
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 2);
}

// Another process holds SQLite's write lock (here a second Database on the same file): writers
// wait for it within the busy timeout and then answer `busy` — contention, which never opens the
// breaker, however often it happens.
TEST_P(DatabaseTest, AnotherProcesssLockIsContentionNotFailure) {
  if (GetParam().name != "sqlite") GTEST_SKIP() << "a file lock held elsewhere is SQLite's";
  settings_.busy_timeout = 50ms;
  auto& db = open();
  db::Database other(db::make_driver(settings_, offload_), settings_.pool);
  run([&]() -> asio::awaitable<void> {
    auto held = co_await other.begin(core::Deadline::after(10s), "the other process");
    EXPECT_TRUE(held.ok());
    auto locking = co_await held->query("INSERT INTO items (id, name) VALUES (1000, 'held')");
    EXPECT_TRUE(locking.ok()) << "the other process holds the write lock from here";
    for (int i = 0; i < 12; ++i) {
      std::string insert = "INSERT INTO items (id, name) VALUES ($1, 'x')";
      Params id{int64_t{i}};
      auto r = co_await db.query(std::move(insert), std::move(id), core::Deadline::after(2s));
      EXPECT_FALSE(r.ok());
      if (r.ok()) break;
      EXPECT_EQ(r.error().code, DbErrorCode::busy) << r.error().message;
    }
    EXPECT_EQ(db.breaker().state(), core::BreakerState::closed);
    std::string count = "SELECT count(*) FROM items";
    auto read = co_await db.query(std::move(count), Params{}, core::Deadline::after(2s));
    EXPECT_TRUE(read.ok()) << "reads do not wait for the write lock";
    co_await held->rollback();
  }());
  EXPECT_TRUE(sql("INSERT INTO items (id, name) VALUES (99, 'after')").ok());
  other.close_idle();
}

// The busy wait honours the statement's deadline, not only the busy timeout.
TEST_P(DatabaseTest, WaitingForAnotherProcesssLockEndsAtTheDeadline) {
  if (GetParam().name != "sqlite") GTEST_SKIP() << "a file lock held elsewhere is SQLite's";
  settings_.busy_timeout = 30000ms;
  auto& db = open();
  db::Database other(db::make_driver(settings_, offload_), settings_.pool);
  run([&]() -> asio::awaitable<void> {
    auto held = co_await other.begin(core::Deadline::after(10s), "the other process");
    EXPECT_TRUE(held.ok());
    auto locking = co_await held->query("INSERT INTO items (id, name) VALUES (1000, 'held')");
    EXPECT_TRUE(locking.ok()) << "the other process holds the write lock from here";
    const auto began = std::chrono::steady_clock::now();
    std::string insert = "INSERT INTO items (id, name) VALUES (1, 'x')";
    auto r = co_await db.query(std::move(insert), Params{}, core::Deadline::after(300ms));
    EXPECT_FALSE(r.ok());
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s) << "waited for the busy timeout";
    co_await held->rollback();
  }());
  other.close_idle();
}

// The file holds password hashes and every user's messages: owner-only, and so are the WAL and
// shared-memory files SQLite makes beside it.
TEST_P(DatabaseTest, TheSqliteFileAndItsWalAreOwnerOnly) {
  if (GetParam().name != "sqlite") GTEST_SKIP() << "a file is SQLite's";
  open();
  must("INSERT INTO items (id, name) VALUES (1, 'x')");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir_.file("test.db") + suffix).c_str(), &info), 0) << suffix;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << "test.db" << suffix;
  }
}

// Opening one more connection must not drop the locks the open ones hold on the file: closing any
// descriptor of a file drops all of a process's POSIX locks on it. Without them, another process
// closing its last connection takes the file as unused, checkpoints and deletes the WAL under this
// one's readers ("file is not a database" once eight agent runs grew the pool during demo-data).
TEST_P(DatabaseTest, AGrowingSqlitePoolKeepsItsLocksWhileAnotherProcessCloses) {
  if (GetParam().name != "sqlite") GTEST_SKIP() << "a file is SQLite's";
  auto& db = open();
  must("INSERT INTO items (id, name) VALUES (1, 'x')");
  ASSERT_TRUE(run(db.warm_up(4, core::Deadline::after(5s)))) << "the pool grows to four";
  const std::string wal = dir_.file("test.db") + "-wal";
  ASSERT_EQ(::access(wal.c_str(), F_OK), 0) << "the WAL exists while connections are open";
  // Another process opens the file, reads and closes: the last connection it thinks, unless this
  // one still holds its shared lock.
  const std::string script =
      "import sqlite3, sys\n"
      "c = sqlite3.connect(sys.argv[1])\n"
      "print(c.execute('SELECT count(*) FROM items').fetchone()[0])\n"
      "c.close()\n";
  auto other = run_process({"/usr/bin/python3", "-c", script, dir_.file("test.db")}, {}, 30s);
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_THAT(other.output, HasSubstr("1"));
  EXPECT_EQ(::access(wal.c_str(), F_OK), 0)
      << "the other process deleted the WAL: this one had lost its locks on the file";
  must("INSERT INTO items (id, name) VALUES (2, 'y')");
  EXPECT_EQ(must("SELECT count(*) FROM items").rows[0].int64(0), 2);
}

TEST_P(DatabaseTest, LeakDetectionNamesWhoHoldsAConnection) {
  core::PoolOptions leaky;
  leaky.leak_threshold = 50ms;
  auto& db = open(leaky);
  run([&]() -> asio::awaitable<void> {
    auto tx = co_await db.begin(core::Deadline::after(5s), "GET /api/threads");
    asio::steady_timer wait(co_await asio::this_coro::executor, 120ms);
    co_await wait.async_wait(asio::use_awaitable);
    db.check_leaks();
    db.check_leaks();  // reported once
    co_await tx->rollback();
  }());
  std::lock_guard lock(mutex_);
  EXPECT_THAT(leaks_, ::testing::ElementsAre("GET /api/threads"));
}

TEST_P(DatabaseTest, StatementPastItsDeadlineIsATimeout) {
  open();
  const std::string slow = GetParam().name == "sqlite"
                               ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                                 "SELECT count(*) FROM c"
                               : "SELECT pg_sleep(10)";
  const auto began = std::chrono::steady_clock::now();
  auto r = sql(slow, {}, 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, DbErrorCode::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  EXPECT_EQ(must("SELECT 1").rows[0].int64(0), 1) << "the pool still serves";
}

TEST_P(DatabaseTest, MigrationsApplyOnceAndReportStatus) {
  auto& db = open();
  std::vector<db::Migration> migrations{
      {1, "0001_one", "CREATE TABLE m_one (x INTEGER);"},
      {2, "0002_two", "CREATE TABLE m_two (y TEXT); INSERT INTO m_two VALUES ('a;b');"}};
  auto first = run(db::apply_migrations(db, migrations, core::Deadline::after(10s)));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_THAT(first->applied, ::testing::ElementsAre("0001_one", "0002_two"));
  auto second = run(db::apply_migrations(db, migrations, core::Deadline::after(10s)));
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(must("SELECT y FROM m_two").rows[0].text(0), "a;b");
  migrations.push_back({3, "0003_three", "CREATE TABLE m_three (z INTEGER);"});
  auto status = run(db::migration_status(db, migrations, core::Deadline::after(10s)));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->applied.size(), 2u);
  ASSERT_EQ(status->pending.size(), 1u);
  EXPECT_EQ(status->pending[0].name, "0003_three");
  // With all but the new one applied, the start's one-read check finds it pending and applies it.
  auto third = run(db::apply_migrations(db, migrations, core::Deadline::after(10s)));
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_THAT(third->applied, ::testing::ElementsAre("0003_three"));
  EXPECT_TRUE(sql("SELECT count(*) FROM m_three").ok());
}

TEST_P(DatabaseTest, FailingMigrationIsRolledBackAndNamed) {
  auto& db = open();
  std::vector<db::Migration> migrations{
      {1, "0001_broken", "CREATE TABLE t_failed (x INTEGER); SELEC nonsense;"}};
  auto r = run(db::apply_migrations(db, migrations, core::Deadline::after(10s)));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("migration 0001_broken failed"));
  // Neither its table nor its record survived.
  auto status = run(db::migration_status(db, migrations, core::Deadline::after(10s)));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->pending.size(), 1u);
  EXPECT_FALSE(sql("SELECT count(*) FROM t_failed").ok());
}

TEST_P(DatabaseTest, ConcurrentMigratorsApplyEachMigrationExactlyOnce) {
  auto& first = open();
  db::Database second(db::make_driver(settings_, offload_), settings_.pool);
  std::vector<db::Migration> migrations;
  for (int v = 1; v <= 5; ++v) {
    migrations.push_back(
        {v, "000" + std::to_string(v) + "_step",
         "CREATE TABLE IF NOT EXISTS m_one (x INTEGER); INSERT INTO m_one VALUES (" +
             std::to_string(v) + ");"});
  }
  auto a = asio::co_spawn(loops_.context(0),
                          db::apply_migrations(first, migrations, core::Deadline::after(20s)),
                          asio::use_future);
  auto b = asio::co_spawn(loops_.context(1),
                          db::apply_migrations(second, migrations, core::Deadline::after(20s)),
                          asio::use_future);
  auto ra = a.get();
  auto rb = b.get();
  ASSERT_TRUE(ra) << ra.error().message;
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ(ra->applied.size() + rb->applied.size(), 5u);
  EXPECT_EQ(must("SELECT count(*) FROM m_one").rows[0].int64(0), 5) << "a migration ran twice";
  second.close_idle();
}

// The server goes away: after a few failures the breaker opens and calls fail fast instead of
// waiting for connect timeouts; when the server is back a probe closes it.
class PostgresOutageTest : public DatabaseTest {};

TEST_P(PostgresOutageTest, BreakerFailsFastWhileTheServerIsDownAndHeals) {
  const std::string dir = netra::testing::test_server("TEST_POSTGRES_DIR");
  ASSERT_FALSE(dir.empty()) << "scripts/test exports TEST_POSTGRES_DIR with TEST_POSTGRES_URL";
  settings_.connect_timeout = 500ms;
  auto& db = open();
  db.close_idle();
  const std::string script = std::string(NETRA_SOURCE_DIR) + "/scripts/postgres-test-server";
  ASSERT_EQ(run_process({script, "pause", dir}, {}, 30s).exit_code, 0);
  int failures = 0;
  for (int i = 0; i < 10 && db.breaker().state() == core::BreakerState::closed; ++i) {
    if (!sql("SELECT 1")) ++failures;
  }
  EXPECT_EQ(db.breaker().state(), core::BreakerState::open) << failures << " failures";
  const auto began = std::chrono::steady_clock::now();
  auto fast = sql("SELECT 1");
  EXPECT_LT(std::chrono::steady_clock::now() - began, 50ms) << "an open breaker answers at once";
  ASSERT_FALSE(fast);
  EXPECT_EQ(fast.error().code, DbErrorCode::unavailable);
  EXPECT_THAT(fast.error().message, HasSubstr("circuit breaker open"));
  ASSERT_EQ(run_process({script, "resume", dir}, {}, 30s).exit_code, 0);
  std::this_thread::sleep_for(5100ms);  // the open duration
  EXPECT_TRUE(sql("SELECT 1").ok()) << "the half-open probe succeeds";
  EXPECT_EQ(db.breaker().state(), core::BreakerState::closed);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param.name; });

// Only PostgreSQL can go away under us; without it this suite has no instances.
std::vector<Backend> postgres_only() {
  auto all = backends();
  std::erase_if(all, [](const Backend& b) { return b.name != "postgres"; });
  return all;
}
INSTANTIATE_TEST_SUITE_P(Backends, PostgresOutageTest, ::testing::ValuesIn(postgres_only()),
                         [](const auto& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresOutageTest);

TEST(PoolSize, TheDefaultFollowsTheCoresAndNeverPassesTen) {
  using db::default_pool_max;
  EXPECT_EQ(default_pool_max(1), 4u);
  EXPECT_EQ(default_pool_max(2), 6u);
  EXPECT_EQ(default_pool_max(4), 10u);
  EXPECT_EQ(default_pool_max(64), 10u);
  db::DatabaseSettings settings;
  settings.pool.max_size = 0;  // database.pool_max's default
  EXPECT_EQ(db::pool_options(settings).max_size, default_pool_max(core::usable_cores()));
  settings.pool.max_size = 3;  // set by the operator: kept
  EXPECT_EQ(db::pool_options(settings).max_size, 3u);
}

TEST(RedactUrl, HidesPasswordsInUrlsAndKeywordStrings) {
  EXPECT_EQ(db::redact_url("postgres://app:s3cr3t@db.local:5432/netra"),
            "postgres://app:***@db.local:5432/netra");
  EXPECT_EQ(db::redact_url("host=db password=s3cr3t dbname=netra"),
            "host=db password=*** dbname=netra");
  EXPECT_EQ(db::redact_url("sqlite:var/netra.db"), "sqlite:var/netra.db");
}

TEST(SplitStatements, IgnoresSemicolonsInQuotesAndComments) {
  auto parts = db::split_statements(
      "CREATE TABLE a (x TEXT); -- a comment; with semicolon\nINSERT INTO a VALUES ('x;y');\n");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_THAT(parts[1], HasSubstr("'x;y'"));
}

}  // namespace
}  // namespace netra::testing
