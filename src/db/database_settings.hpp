// DatabaseSettings: what the database layer needs from configuration (the `database.*` keys,
// declared here), and the one place that turns a URL into a driver.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/pool.hpp"
#include "core/settings_schema.hpp"
#include "db/postgres_conninfo.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::db {

namespace detail {
class Driver;
}

struct DatabaseSettings {
  std::string url = "sqlite:var/netra.db";
  core::PoolOptions pool;
  size_t pool_min = 1;  // opened at start, so the first requests do not wait for a connection
  std::chrono::milliseconds busy_timeout{
      5000};  // SQLite: how long to wait for another process's lock
  std::chrono::milliseconds connect_timeout{5000};     // PostgreSQL: our own connect deadline
  std::chrono::milliseconds statement_timeout{30000};  // PostgreSQL: enforced by the server
  std::chrono::milliseconds query_timeout{3000};       // ours: one call, connection wait included
  std::chrono::milliseconds slow_statement{250};       // logged when one runs longer; 0: never
  TlsSettings tls;                                     // PostgreSQL
  // environment = "production" refuses a PostgreSQL server that does not prove who it is, unless
  // this says the operator accepts that.
  bool allow_unverified_tls = false;
};

// database.pool_max when it is 0 (the default): 2 connections per usable core plus 2, at most 10.
// More statements in flight than the database's cores can run buy no throughput, and on a small
// machine that also runs PostgreSQL they cost its tail: 10 connections on 2 cores shared by
// PostgreSQL, netra and the load put backends to sleep in PostgreSQL's spinlock back-off (up to
// 1 s), and GET /api/threads under wrk -c50 had a p99 of 17-218 ms; with 6 it was 6.3-8.6 ms at the
// same rate (see bench/chat_threads.sh). Where the database has cores of its own, set pool_max.
size_t default_pool_max(size_t usable_cores);

// settings.pool with pool_max resolved (0: default_pool_max of this process's usable cores).
core::PoolOptions pool_options(const DatabaseSettings& settings);

// The directory of the SQLite file `settings.url` names (as the driver opens it), whose free
// space the warning checks watch; "" for PostgreSQL or an in-memory database.
std::string sqlite_directory(const DatabaseSettings& settings);

// The `database.*` keys; its check is validate_settings.
const core::SettingsSchema<DatabaseSettings>& database_settings_schema();

// Throws core::ConfigurationError for a URL no driver accepts, or TLS settings that conflict or
// name missing files; the message never shows a password. Opens nothing.
void validate_settings(const DatabaseSettings& settings);

// Validates, then builds the driver the URL names. PostgreSQL resolves host names on `offload`;
// SQLite runs its statements on threads of its own, one per connection the pool may open.
std::unique_ptr<detail::Driver> make_driver(const DatabaseSettings& settings,
                                            core::OffloadPool& offload);

// The URL with any password replaced by ***, for logs and errors.
std::string redact_url(const std::string& url);

}  // namespace netra::db
