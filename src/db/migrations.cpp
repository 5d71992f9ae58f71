#include "db/migrations.hpp"

#include <charconv>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/embedded_file.hpp"

namespace netra::db {
namespace {

const std::string kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// Any 64-bit number unique to this application; PostgreSQL advisory locks are keyed by it.
const std::string kPostgresLock = "SELECT pg_advisory_xact_lock(7318152063501221)";
const std::string kIsApplied = "SELECT version FROM schema_migrations WHERE version = $1";
const std::string kRecord =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
const std::string kListApplied =
    "SELECT version, applied_at FROM schema_migrations ORDER BY version";
const std::string kOwner = "migrations";

// Built outside the coroutine: g++ 12 cannot keep an initializer_list's array alive across a
// co_await in the same expression ("array used as initializer").
Params version_param(const Migration& m) {
  return Params{int64_t{m.version}};
}

Params record_params(const Migration& m) {
  return Params{int64_t{m.version}, m.name, core::unix_ms_now()};
}

bool is_postgres(const Database& db) {
  return db.driver_name() == "postgres";
}

DbError named(const Migration& m, const DbError& e) {
  return {e.code, "migration " + m.name + " failed: " + e.message};
}

}  // namespace

namespace detail {
const std::vector<core::EmbeddedFile>& migration_files();  // db/migrations/*.sql, compiled in
}  // namespace detail

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> out;
    for (const auto& file : detail::migration_files()) {
      // NNNN_what.sql: the version is the number, the name the file's without ".sql".
      const auto name = file.name.substr(0, file.name.find('.'));
      int version = 0;
      const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), version);
      if (error != std::errc{} || end == name.data() || *end != '_') {
        throw std::logic_error("migration file " + std::string(file.name) +
                               " is not named NNNN_what.sql");
      }
      out.push_back({version, std::string(name), std::string(file.text)});
    }
    return out;
  }();
  return migrations;
}

std::vector<std::string> split_statements(const std::string& sql) {
  std::vector<std::string> statements;
  std::string current;
  bool in_quote = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (!in_quote && c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;  // a comment, to the end of the line
      current += '\n';
      continue;
    }
    if (c == '\'') in_quote = !in_quote;
    if (c == ';' && !in_quote) {
      if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
  return statements;
}

namespace {
asio::awaitable<bool> all_applied(Database& db, const std::vector<Migration>& migrations,
                                  core::Deadline deadline) {
  auto rows =
      co_await db.query(kListApplied, Params{}, deadline, kOwner, CallLimit::caller_deadline);
  if (!rows) co_return false;
  std::set<int64_t> applied;
  for (const auto& row : rows->rows) applied.insert(row.int64(0));
  for (const auto& m : migrations) {
    if (applied.count(m.version) == 0) co_return false;
  }
  co_return true;
}
}  // namespace

asio::awaitable<DbResult<MigrationOutcome>> apply_migrations(
    Database& db, const std::vector<Migration>& migrations, core::Deadline deadline) {
  MigrationOutcome outcome;
  // Usually every migration is applied already (every start but the first): one read says so,
  // instead of a locked transaction per migration — about 30 statements on the start's path.
  // Applied migrations are never undone, so "none pending" cannot go stale; anything pending
  // takes the locked path below, which checks again under the lock.
  // The read creates nothing (on a new database its table is missing and it fails): instances
  // starting together must create the table under the lock.
  const bool up_to_date = co_await all_applied(db, migrations, deadline);  // GCC 12: not in the if
  if (up_to_date) co_return outcome;
  const bool postgres = is_postgres(db);
  for (const auto& m : migrations) {
    // One transaction per migration; the lock is the transaction's first statement, so another
    // instance waits here, then sees the migration recorded and skips it.
    auto begun = co_await db.begin(deadline, kOwner, CallLimit::caller_deadline);
    if (!begun) co_return named(m, begun.error());
    auto& tx = begun.value();
    if (postgres) {
      auto locked = co_await tx.query(kPostgresLock, Params{});
      if (!locked) co_return named(m, locked.error());
    }
    auto created = co_await tx.query(kCreateTable, Params{});
    if (!created) co_return named(m, created.error());
    auto seen = co_await tx.query(kIsApplied, version_param(m));
    if (!seen) co_return named(m, seen.error());
    if (!seen->empty()) {  // applied already (by us earlier, or by another instance)
      auto done = co_await tx.rollback();
      if (!done) co_return named(m, done.error());
      continue;
    }
    const std::vector<std::string> statements = split_statements(m.sql);
    for (const auto& statement : statements) {
      auto ran = co_await tx.query(statement, Params{});
      if (!ran) co_return named(m, ran.error());  // the transaction rolls back when dropped
    }
    auto recorded = co_await tx.query(kRecord, record_params(m));
    if (!recorded) co_return named(m, recorded.error());
    auto committed = co_await tx.commit();
    if (!committed) co_return named(m, committed.error());
    outcome.applied.push_back(m.name);
  }
  co_return outcome;
}

asio::awaitable<DbResult<MigrationStatus>> migration_status(
    Database& db, const std::vector<Migration>& migrations, core::Deadline deadline) {
  auto created =
      co_await db.query(kCreateTable, Params{}, deadline, kOwner, CallLimit::caller_deadline);
  if (!created) co_return created.error();
  auto rows =
      co_await db.query(kListApplied, Params{}, deadline, kOwner, CallLimit::caller_deadline);
  if (!rows) co_return rows.error();
  std::map<int64_t, int64_t> applied_at;
  for (const auto& row : rows->rows) applied_at[row.int64(0)] = row.int64(1);
  MigrationStatus status;
  for (const auto& m : migrations) {
    auto it = applied_at.find(m.version);
    if (it == applied_at.end()) {
      status.pending.push_back(m);
    } else {
      status.applied.emplace_back(m, it->second);
    }
  }
  co_return status;
}

}  // namespace netra::db
