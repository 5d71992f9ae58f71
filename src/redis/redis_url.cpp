#include "redis/redis_url.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>  // Boost.URL is compiled here, its one translation unit
#include <charconv>

namespace netra::redis {

namespace {

namespace urls = boost::urls;

core::Result<int64_t, std::string> database_of(std::string_view path) {
  if (path.empty() || path == "/") return int64_t{0};
  const auto digits = path.substr(1);
  int64_t db = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
  if (ec != std::errc() || end != digits.data() + digits.size() || db < 0 || db > 2147483647) {
    return fmt::format("the path names the database: /0 to /2147483647, not '{}'", path);
  }
  return db;
}

core::Result<RedisEndpoint, std::string> tcp_endpoint(const urls::url_view& url) {
  RedisEndpoint endpoint;
  if (!url.has_authority() || url.encoded_host().empty()) {
    return std::string("no host (expected redis://[user:password@]host[:port][/db])");
  }
  endpoint.host = url.host_address();  // IPv6 without its brackets, names decoded
  if (url.has_port()) {
    // Boost.URL keeps the port's digits; port_number() would wrap a number over 65535.
    const std::string_view digits = url.port();
    uint32_t port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
      return fmt::format("the port must be 1 to 65535, not '{}'", digits);
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  if (url.has_userinfo()) {
    if (!url.has_password()) {
      return std::string(
          "credentials without a password: write redis://:password@host or "
          "redis://user:password@host");
    }
    endpoint.user = url.user();
    endpoint.password = url.password();
  }
  auto db = database_of(url.encoded_path());
  if (!db) return db.error();
  endpoint.database = db.value();
  return endpoint;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (is_unix()) return fmt::format("redis at unix:{}, db {}", socket_path, database);
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("redis at {}:{}, db {}", v6 ? "[" + host + "]" : host, port, database);
}

core::Result<RedisEndpoint, std::string> parse_redis_url(std::string_view text) {
  auto parsed = urls::parse_uri(text);
  if (!parsed) {
    return std::string(
        "not a URL (expected redis://[user:password@]host[:port][/db] or "
        "unix:/path)");
  }
  const auto& url = parsed.value();
  if (url.has_query() || url.has_fragment()) {
    return std::string("a query or a fragment is not understood; the path names the database");
  }
  const std::string scheme = url.scheme();
  if (scheme == "redis") return tcp_endpoint(url);
  if (scheme == "unix") {
    if (url.has_userinfo() || !url.encoded_host().empty()) {
      return std::string("unix: takes a path only (unix:/run/redis/redis.sock)");
    }
    const std::string path = url.path();
    if (path.empty() || path.front() != '/') {
      return std::string("unix: needs an absolute path (unix:/run/redis/redis.sock)");
    }
    RedisEndpoint endpoint;
    endpoint.socket_path = path;
    return endpoint;
  }
  if (scheme == "rediss") return std::string("rediss:// (TLS) is not supported by this build");
  return fmt::format("unknown scheme '{}' (redis:// or unix:)", scheme);
}

}  // namespace netra::redis
