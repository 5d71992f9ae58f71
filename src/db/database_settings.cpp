#include "db/database_settings.hpp"

#include <algorithm>
#include <regex>

#include "core/configuration_error.hpp"
#include "core/cpu_budget.hpp"
#include "db/database.hpp"
#include "db/detail/postgres_driver.hpp"
#include "db/detail/sqlite_driver.hpp"

namespace netra::db {

std::string redact_url(const std::string& url) {
  // scheme://user:password@host → scheme://user:***@host; password=... in keyword strings too.
  static const std::regex userinfo(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@]*@)");
  static const std::regex keyword(R"((password\s*=\s*)('[^']*'|[^\s&]*))", std::regex::icase);
  return std::regex_replace(std::regex_replace(url, userinfo, "$1:***@"), keyword, "$1***");
}

namespace {
bool is_sqlite(const std::string& url) {
  return url.rfind("sqlite:", 0) == 0;
}
// What follows "sqlite:": the path the driver opens.
std::string sqlite_file(const std::string& url) {
  return url.substr(7);
}
bool is_postgres(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0 ||
         url.find('=') != std::string::npos;
}
}  // namespace

std::string sqlite_directory(const DatabaseSettings& settings) {
  if (!is_sqlite(settings.url)) return "";
  const std::string path = sqlite_file(settings.url);
  if (path.empty() || path == ":memory:") return "";
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void validate_settings(const DatabaseSettings& settings) {
  const std::string& url = settings.url;
  if (is_sqlite(url)) {
    if (url.size() == 7) throw core::ConfigurationError({"database.url 'sqlite:' names no file"});
    return;
  }
  if (is_postgres(url)) {
    build_conninfo(url, settings.tls);
    return;
  }
  throw core::ConfigurationError(
      {"database.url " + redact_url(url) + " is neither sqlite:PATH nor a postgres:// URL"});
}

const core::SettingsSchema<DatabaseSettings>& database_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<DatabaseSettings> s;
    s.key("database.url", &DatabaseSettings::url,
          {.fallback = "\"sqlite:var/netra.db\"",
           .help = "sqlite:PATH (embedded; the folder is created), a postgres:// URL or a libpq "
                   "keyword string"})
        .key("database.connect_timeout_ms", &DatabaseSettings::connect_timeout,
             {.fallback = "5000",
              .min = 1,
              .max = 600000,
              .help = "PostgreSQL: a connection not established by then is abandoned (no hang)"})
        .key("database.statement_timeout_ms", &DatabaseSettings::statement_timeout,
             {.fallback = "30000",
              .min = 1,
              .max = 86400000,
              .help = "PostgreSQL: the server ends a statement that runs longer"})
        .key("database.query_timeout_ms", &DatabaseSettings::query_timeout,
             {.fallback = "3000",
              .min = 1,
              .max = 3600000,
              .help = "one call (waiting for a connection included) ends by then, within the "
                      "request's deadline: a frozen server fails calls after this long and opens "
                      "the breaker; migrations have only their own deadline"})
        .key("database.slow_statement_ms", &DatabaseSettings::slow_statement,
             {.fallback = "250",
              .min = 0,
              .max = 3600000,
              .help = "a statement that runs longer is logged as a warning, with its text (never "
                      "its values), its time and the route or job that ran it; 0 = never"})
        .key("database.ssl_mode", [](DatabaseSettings & s) -> auto& { return s.tls.mode; },
             {.fallback = "\"\"",
              .choices = {"", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"},
              .help = "PostgreSQL TLS: as libpq's sslmode (also sslmode= or ssl=true in the URL); "
                      "empty = libpq's"})
        .key("database.allow_unverified_tls", &DatabaseSettings::allow_unverified_tls,
             {.fallback = "false",
              .help = "with environment = \"production\", a PostgreSQL server that is not on this "
                      "machine must be reached with ssl_mode verify-ca or verify-full unless this "
                      "is true"})
        .key("database.ssl_root_cert",
             [](DatabaseSettings & s) -> auto& { return s.tls.root_cert; },
             {.fallback = "\"\"", .help = "PostgreSQL TLS: CA certificate file (sslrootcert)"})
        .key("database.ssl_cert", [](DatabaseSettings & s) -> auto& { return s.tls.cert; },
             {.fallback = "\"\"", .help = "PostgreSQL TLS: client certificate file (sslcert)"})
        .key("database.ssl_key", [](DatabaseSettings & s) -> auto& { return s.tls.key; },
             {.fallback = "\"\"", .help = "PostgreSQL TLS: client key file (sslkey)"})
        .key("database.pool_min", &DatabaseSettings::pool_min,
             {.fallback = "1",
              .min = 0,
              .max = 1000,
              .help = "connections opened at start (never more than pool_max)"})
        .key("database.pool_max", [](DatabaseSettings & s) -> auto& { return s.pool.max_size; },
             {.fallback = "0",
              .min = 0,
              .max = 1000,
              .help = "most connections open at once; 0 = 2 per usable core plus 2, at most 10"})
        .key("database.acquire_timeout_ms",
             [](DatabaseSettings & s) -> auto& { return s.pool.acquire_timeout; },
             {.fallback = "5000",
              .min = 1,
              .max = 600000,
              .help =
                  "a request waits this long for a free connection, then gets 503 database_busy"})
        .key("database.max_lifetime_ms",
             [](DatabaseSettings & s) -> auto& { return s.pool.max_lifetime; },
             {.fallback = "1800000",
              .min = 1000,
              .max = 86400000,
              .help = "a connection older than this is closed when it is returned"})
        .key("database.idle_timeout_ms",
             [](DatabaseSettings & s) -> auto& { return s.pool.idle_timeout; },
             {.fallback = "600000",
              .min = 1000,
              .max = 86400000,
              .help = "an idle connection unused for this long is closed"})
        .key("database.validate_after_ms",
             [](DatabaseSettings & s) -> auto& { return s.pool.validate_after_idle; },
             {.fallback = "30000",
              .min = 0,
              .max = 86400000,
              .help =
                  "a connection idle for longer is checked with SELECT 1 before it is handed out"})
        .key(
            "database.leak_threshold_ms",
            [](DatabaseSettings & s) -> auto& { return s.pool.leak_threshold; },
            {.fallback = "30000",
             .min = 1,
             .max = 86400000,
             .help = "a connection held longer is logged once with the route or task that took it"})
        .key("database.busy_timeout_ms", &DatabaseSettings::busy_timeout,
             {.fallback = "5000",
              .min = 0,
              .max = 600000,
              .help = "SQLite: how long a writer waits for the single writer lock"});
    s.check([](const DatabaseSettings& settings, const core::ConfigValues&,
               std::vector<std::string>& problems) {
      try {
        validate_settings(settings);
      } catch (const core::ConfigurationError& e) {
        problems.insert(problems.end(), e.errors().begin(), e.errors().end());
      }
    });
    return s;
  }();
  return schema;
}

size_t default_pool_max(size_t usable_cores) {
  return std::min<size_t>(10, 2 * usable_cores + 2);
}

core::PoolOptions pool_options(const DatabaseSettings& settings) {
  auto options = settings.pool;
  if (options.max_size == 0) options.max_size = default_pool_max(core::usable_cores());
  return options;
}

std::unique_ptr<detail::Driver> make_driver(const DatabaseSettings& settings,
                                            core::OffloadPool& offload) {
  validate_settings(settings);
  if (is_sqlite(settings.url)) {
    // One thread per connection: the readers' pool and the one write connection.
    return std::make_unique<detail::SqliteDriver>(
        sqlite_file(settings.url), pool_options(settings).max_size + 1, settings.busy_timeout);
  }
  return std::make_unique<detail::PostgresDriver>(
      build_conninfo(settings.url, settings.tls),
      detail::PostgresOptions{settings.connect_timeout, settings.statement_timeout}, offload);
}

std::unique_ptr<Database> open_database(const DatabaseSettings& settings,
                                        core::OffloadPool& offload, DatabaseObserver observer) {
  return std::make_unique<Database>(make_driver(settings, offload), pool_options(settings),
                                    core::Pool<detail::DriverConnection>::LeakReport{},
                                    core::BreakerOptions{}, std::move(observer),
                                    settings.query_timeout);
}

}  // namespace netra::db
