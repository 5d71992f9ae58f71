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

std::unique_ptr<detail::Driver> make_driver(const DatabaseSettings& settings,
                                            core::OffloadPool& offload) {
  const std::string& url = settings.url;
  if (url.rfind("sqlite:", 0) == 0) {
    const std::string path = url.substr(7);
    if (path.empty()) throw core::ConfigurationError({"database.url 'sqlite:' names no file"});
    return std::make_unique<detail::SqliteDriver>(path, offload, settings.busy_timeout);
  }
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0 ||
      url.find('=') != std::string::npos) {
    return std::make_unique<detail::PostgresDriver>(
        build_conninfo(url, settings.tls),
        detail::PostgresOptions{settings.connect_timeout, settings.statement_timeout}, offload);
  }
  throw core::ConfigurationError(
      {"database.url " + redact_url(url) + " is neither sqlite:PATH nor a postgres:// URL"});
}

}  // namespace netra::db
