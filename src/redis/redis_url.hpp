// RedisEndpoint: where `redis.url` points — a TCP host and port or a Unix socket, the credentials
// and the database — taken apart by Boost.URL, or the reason the URL is refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace netra::redis {

struct RedisEndpoint {
  std::string host;         // empty for a Unix socket
  uint16_t port = 6379;     // TCP only
  std::string socket_path;  // unix: only
  std::string user;         // empty: the default user (AUTH with the password alone)
  std::string password;     // empty: no AUTH
  int64_t database = 0;     // SELECT after connecting when not 0

  bool is_unix() const { return !socket_path.empty(); }
  // For logs and /health: "redis at 127.0.0.1:6379, db 0". Never the password.
  std::string describe() const;
};

// Accepts redis://[user:password@]host[:port][/db] (a host name, an IPv4 or a bracketed IPv6
// address; port 6379 unless given; db 0 to 2147483647) and unix:/path (or unix:///path) with an
// absolute path. Refuses other schemes (rediss:// too: this build has no TLS for Redis), a
// user without a password, a query or a fragment. The error never repeats the password.
core::Result<RedisEndpoint, std::string> parse_redis_url(std::string_view url);

}  // namespace netra::redis
