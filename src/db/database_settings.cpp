#include "db/database_settings.hpp"

#include <regex>

#include "core/configuration_error.hpp"
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
bool is_postgres(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0 ||
         url.find('=') != std::string::npos;
}
}  // namespace

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

std::unique_ptr<detail::Driver> make_driver(const DatabaseSettings& settings,
                                            core::OffloadPool& offload) {
  validate_settings(settings);
  if (is_sqlite(settings.url)) {
    // One thread per connection: the readers' pool and the one write connection.
    return std::make_unique<detail::SqliteDriver>(settings.url.substr(7),
                                                  settings.pool.max_size + 1, settings.busy_timeout);
  }
  return std::make_unique<detail::PostgresDriver>(
      build_conninfo(settings.url, settings.tls),
      detail::PostgresOptions{settings.connect_timeout, settings.statement_timeout}, offload);
}

}  // namespace netra::db
