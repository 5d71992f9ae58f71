#include "db/detail/sqlite_driver.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/offload_pool.hpp"

namespace netra::db::detail {
namespace {

DbError sqlite_error(sqlite3* db, int rc, const std::string& context) {
  const int primary = rc & 0xff;
  std::string message = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (primary) {
    case SQLITE_CONSTRAINT:
      return {DbErrorCode::constraint, message};
    case SQLITE_INTERRUPT:
      return {DbErrorCode::timeout, context + ": deadline passed"};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // Another process holds the lock (this one queues its writers before they reach SQLite):
      // contention, not a failing database.
      return {DbErrorCode::busy,
              message + " (held by another process past the busy timeout or the deadline)"};
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return {DbErrorCode::invalid, message};
    case SQLITE_FULL:
      // The server is up and reads still work: not a reason to fail every call (the breaker).
      return {DbErrorCode::storage_full, message};
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {DbErrorCode::unavailable, message};
    default:
      return {DbErrorCode::internal, message};
  }
}

// For each parameter of the statement (by index − 1), the Params entry that binds it: N − 1 for
// a parameter named $N, −1 for any other. SQLite finds a name by scanning every parameter, so
// this is worked out once per statement, not once per value: a 32-row INSERT has 480.
std::vector<int> param_slots(sqlite3_stmt* stmt) {
  std::vector<int> slots(static_cast<size_t>(sqlite3_bind_parameter_count(stmt)), -1);
  for (size_t j = 0; j < slots.size(); ++j) {
    const char* name = sqlite3_bind_parameter_name(stmt, static_cast<int>(j + 1));
    if (name == nullptr || name[0] != '$' || name[1] < '1' || name[1] > '9') continue;
    const char* end = name + std::strlen(name);
    int n = 0;
    auto [last, ec] = std::from_chars(name + 1, end, n);
    if (ec == std::errc() && last == end) slots[j] = n - 1;
  }
  return slots;
}

// Binds $N parameters by name, so "$2 ... $1" binds the right values.
int bind_all(sqlite3_stmt* stmt, const std::vector<int>& slots, const Params& params) {
  for (size_t j = 0; j < slots.size(); ++j) {
    if (slots[j] < 0 || static_cast<size_t>(slots[j]) >= params.size()) continue;
    const int index = static_cast<int>(j + 1);
    const auto& p = params[static_cast<size_t>(slots[j])];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(p)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (auto* v = std::get_if<int64_t>(&p)) {
      rc = sqlite3_bind_int64(stmt, index, *v);
    } else if (auto* d = std::get_if<double>(&p)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (auto* b = std::get_if<bool>(&p)) {
      rc = sqlite3_bind_int(stmt, index, *b ? 1 : 0);
    } else {
      const auto& s = std::get<std::string>(p);
      rc = sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

// The open database, shared with offload calls: a call abandoned by its caller keeps it alive
// until it returns, so nothing it touches is freed under it.
struct SqliteHandle {
  SqliteHandle(sqlite3* d, std::chrono::milliseconds busy) : db(d), busy_timeout(busy) {
    sqlite3_progress_handler(db, 1000, &SqliteHandle::on_progress, this);
    sqlite3_busy_handler(db, &SqliteHandle::on_busy, this);
  }
  ~SqliteHandle() {
    for (auto& [sql, kept] : prepared) sqlite3_finalize(kept.stmt);
    sqlite3_close_v2(db);
  }

  // Interrupts the running statement once the deadline has passed.
  static int on_progress(void* self) {
    auto* h = static_cast<SqliteHandle*>(self);
    return std::chrono::steady_clock::now().time_since_epoch().count() >
                   h->deadline_ns.load(std::memory_order_relaxed)
               ? 1
               : 0;
  }

  // Waits for a lock another process holds, in short sleeps, until the busy timeout or the
  // statement's deadline — whichever comes first (sqlite3_busy_timeout knows no deadline).
  static int on_busy(void* self, int attempts) {
    auto* h = static_cast<SqliteHandle*>(self);
    using std::chrono::steady_clock;
    const auto now = steady_clock::now();
    if (attempts == 0) h->busy_since = now;
    const auto deadline = steady_clock::time_point(
        steady_clock::duration(h->deadline_ns.load(std::memory_order_relaxed)));
    const auto give_up = std::min(h->busy_since + h->busy_timeout, deadline);
    if (now >= give_up) return 0;
    static constexpr int kSleepMs[] = {1, 2, 5, 10, 15, 20};
    const auto step = std::chrono::milliseconds(kSleepMs[std::min(attempts, 5)]);
    std::this_thread::sleep_for(std::min<steady_clock::duration>(step, give_up - now));
    return 1;
  }

  DbResult<QueryResult> run(const std::string& sql, const Params& params, core::Deadline deadline) {
    deadline_ns.store(deadline.when().time_since_epoch().count(), std::memory_order_relaxed);
    sqlite3_stmt* stmt = nullptr;
    bool cached = false;
    std::vector<int> unkept_slots;
    const std::vector<int>* slots = &unkept_slots;
    if (auto it = prepared.find(sql); it != prepared.end()) {
      stmt = it->second.stmt;
      slots = &it->second.slots;
      cached = true;
    } else {
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt, &tail);
      if (rc != SQLITE_OK) return sqlite_error(db, rc, "prepare");
      if (stmt == nullptr) return QueryResult{};  // an empty statement
      // Kept for the next call when it has parameters and is one statement (scripts are not).
      if (!params.empty() && (tail == nullptr || *tail == '\0') && prepared.size() < kMaxPrepared) {
        auto kept = prepared.emplace(sql, Prepared{stmt, param_slots(stmt)}).first;
        slots = &kept->second.slots;
        cached = true;
      } else if (!params.empty()) {
        unkept_slots = param_slots(stmt);
      }
    }
    // A kept statement is reset for its next use; any other is finalized.
    struct Release {
      sqlite3_stmt* s;
      bool keep;
      ~Release() {
        if (keep) {
          sqlite3_reset(s);
          sqlite3_clear_bindings(s);
        } else {
          sqlite3_finalize(s);
        }
      }
    } release{stmt, cached};
    int rc = bind_all(stmt, *slots, params);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "bind");

    QueryResult result;
    const int columns = sqlite3_column_count(stmt);
    for (int i = 0; i < columns; ++i) result.columns.emplace_back(sqlite3_column_name(stmt, i));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> values;
      values.reserve(static_cast<size_t>(columns));
      for (int i = 0; i < columns; ++i) {
        if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
          values.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          values.emplace_back(std::in_place, text,
                              static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
        }
      }
      result.rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) return sqlite_error(db, rc, "step");
    result.affected_rows = sqlite3_changes64(db);
    return result;
  }

  sqlite3* db;
  std::chrono::milliseconds busy_timeout;
  std::chrono::steady_clock::time_point busy_since{};
  std::atomic<int64_t> deadline_ns{0};
  // Statements the API repeats, prepared once per connection (SQLite re-prepares a kept one by
  // itself when the schema changes). Bounded; used by one call at a time, like the handle.
  static constexpr size_t kMaxPrepared = 256;
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> slots;  // param_slots(stmt)
  };
  std::unordered_map<std::string, Prepared> prepared;
};

class SqliteConnection final : public DriverConnection {
 public:
  SqliteConnection(sqlite3* db, std::chrono::milliseconds busy_timeout,
                   std::shared_ptr<core::OffloadPool> threads)
      : handle_(std::make_shared<SqliteHandle>(db, busy_timeout)), threads_(std::move(threads)) {}
  ~SqliteConnection() override { sqlite3_interrupt(handle_->db); }

  asio::awaitable<DbResult<QueryResult>> execute(const std::string& sql, const Params& params,
                                                 core::Deadline deadline) override {
    if (deadline.expired()) {
      co_return DbError{DbErrorCode::timeout, "deadline passed before the statement ran"};
    }
    try {
      // Copies: an abandoned call must not read its caller's (freed) frame. Named, not a
      // temporary: g++ 12 destroys a lambda temporary twice inside `co_return co_await`.
      auto call = [h = handle_, sql, params, deadline] { return h->run(sql, params, deadline); };
      DbResult<QueryResult> result = co_await threads_->run(std::move(call));
      co_return result;
    } catch (const std::exception& e) {
      // Cancelled, or the pool is shutting down, while the call may still be running.
      broken_ = true;
      sqlite3_interrupt(handle_->db);
      co_return DbError{DbErrorCode::timeout, std::string("statement abandoned: ") + e.what()};
    }
  }

  asio::awaitable<WrappedResult> execute_wrapped(const std::string& before, const std::string& sql,
                                                 const Params& params, const std::string& after,
                                                 core::Deadline deadline) override {
    using Failed = WrappedResult::Failed;
    if (deadline.expired()) {
      co_return WrappedResult{
          DbError{DbErrorCode::timeout, "deadline passed before the statement ran"},
          before.empty() ? Failed::statement : Failed::before};
    }
    try {
      auto call = [h = handle_, before, sql, params, after, deadline]() -> WrappedResult {
        if (!before.empty()) {
          auto began = h->run(before, {}, deadline);
          if (!began) return {began.error(), Failed::before};
        }
        auto result = h->run(sql, params, deadline);
        if (!result) return {result.error(), Failed::statement};
        if (!after.empty()) {
          auto ended = h->run(after, {}, deadline);
          if (!ended) return {ended.error(), Failed::after};
        }
        return {std::move(result), Failed::none};
      };
      WrappedResult wrapped = co_await threads_->run(std::move(call));
      co_return wrapped;
    } catch (const std::exception& e) {
      broken_ = true;
      sqlite3_interrupt(handle_->db);
      co_return WrappedResult{
          DbError{DbErrorCode::timeout, std::string("statement abandoned: ") + e.what()},
          Failed::after};  // how far it got is unknown: the connection is not reused
    }
  }

  bool broken() const override { return broken_; }

 private:
  std::shared_ptr<SqliteHandle> handle_;
  std::shared_ptr<core::OffloadPool> threads_;
  bool broken_ = false;
};

}  // namespace

SqliteDriver::SqliteDriver(std::string path, size_t connections,
                           std::chrono::milliseconds busy_timeout)
    : path_(std::move(path)),
      threads_(std::make_shared<core::OffloadPool>(connections, "sqlite")),
      busy_timeout_(busy_timeout) {}

SqliteDriver::~SqliteDriver() = default;

std::string SqliteDriver::owner_only_file() {
  // Once per driver, before its first connection opens the file: closing any descriptor of a file
  // drops every POSIX lock this process holds on it, SQLite's included. Done while connections
  // were open (the pool grows under load), it let another process that closed its last
  // connection take the file as unused, checkpoint and delete the WAL under this one's readers,
  // which then read "file is not a database".
  std::lock_guard lock(file_mutex_);
  if (file_ready_) return {};
  // Owner-only from its creation (SQLite makes its -wal and -shm files with the database's
  // permissions), and tightened if an older file was readable by others: it holds password hashes
  // and every user's messages. O_EXCL: a file that exists already is not opened here at all.
  if (const int fd =
          ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return "cannot create " + path_ + ": " + std::strerror(errno);
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::filesystem::path file = path_ + suffix;
    const auto owner_only =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    if (std::filesystem::exists(file, ec) &&
        std::filesystem::status(file, ec).permissions() != owner_only) {
      std::filesystem::permissions(file, owner_only, ec);  // by path: no descriptor, no lock
    }
  }
  file_ready_ = true;
  return {};
}

asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>> SqliteDriver::connect(
    core::Deadline) {
  using Opened = core::Result<std::unique_ptr<DriverConnection>, std::string>;
  auto open = [this]() -> std::pair<sqlite3*, std::string> {
    std::error_code ec;
    const auto folder = std::filesystem::path(path_).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    if (ec) return {nullptr, "cannot create " + folder.string() + ": " + ec.message()};
    if (auto refused = owner_only_file(); !refused.empty()) return {nullptr, refused};
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close_v2(db);
      return {nullptr, "cannot open " + path_ + ": " + why};
    }
    // For the pragmas below; the connection's handle then waits within each statement's deadline.
    sqlite3_busy_timeout(db, static_cast<int>(busy_timeout_.count()));
    char* error = nullptr;
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                      nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string why = error ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      sqlite3_close_v2(db);
      return {nullptr, "cannot configure " + path_ + ": " + why};
    }
    return {db, ""};
  };
  try {
    auto [db, error] = co_await threads_->run(open);
    if (db == nullptr) co_return Opened(error);
    co_return Opened(std::unique_ptr<DriverConnection>(
        std::make_unique<SqliteConnection>(db, busy_timeout_, threads_)));
  } catch (const std::exception& e) {
    co_return Opened(std::string("cannot open ") + path_ + ": " + e.what());
  }
}

}  // namespace netra::db::detail
