// Migrations: the versioned SQL files of src/db/migrations, compiled into the binary and applied
// in order, each in its own transaction under a lock (PostgreSQL: an advisory lock; SQLite: its
// single writer lock), so two instances starting together never apply one twice.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "core/deadline.hpp"
#include "db/database.hpp"

namespace netra::db {

struct Migration {
  int version = 0;
  std::string name;  // the file name without extension: "0001_initial_schema"
  std::string sql;
};

// Every migration compiled into the binary, by version.
const std::vector<Migration>& embedded_migrations();

// A migration file's statements, split on ';' outside quotes and comments.
std::vector<std::string> split_statements(const std::string& sql);

struct MigrationStatus {
  std::vector<std::pair<Migration, int64_t>> applied;  // with the time it was applied (Unix ms)
  std::vector<Migration> pending;
};

struct MigrationOutcome {
  std::vector<std::string> applied;  // names applied by this call
};

// Applies what is pending. A failing migration is rolled back; the error names it.
asio::awaitable<DbResult<MigrationOutcome>> apply_migrations(
    Database& db, const std::vector<Migration>& migrations, core::Deadline deadline);

asio::awaitable<DbResult<MigrationStatus>> migration_status(
    Database& db, const std::vector<Migration>& migrations, core::Deadline deadline);

}  // namespace netra::db
