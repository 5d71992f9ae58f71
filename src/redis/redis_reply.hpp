// RedisReply: one reply of the server as a value (copied out of hiredis's reader before its
// callback returns), and RedisError: why a command has no reply — the service's own words, never
// hiredis types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace netra::redis {

struct RedisReply {
  enum class Type { nil, string, integer, array, status };
  Type type = Type::nil;
  std::string text;  // string and status
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // array

  bool is_nil() const { return type == Type::nil; }
  // The bulk string, or nothing for nil (and any other type).
  std::optional<std::string> string() const;
};

struct RedisError {
  enum class Kind {
    unavailable,  // not connected, the breaker is open, or the connection dropped: not sent or lost
    timeout,      // no reply by the deadline (it may still have been carried out)
    auth,         // AUTH was refused: a wrong password or user
    server,       // an error reply (WRONGTYPE, NOSCRIPT, …): Redis is fine, the command is not
  };
  Kind kind = Kind::unavailable;
  std::string message;

  // Did Redis itself fail (what the breaker counts), rather than the command?
  bool is_outage() const { return kind == Kind::unavailable || kind == Kind::timeout; }
  bool is_noscript() const;
};

template <typename T>
using RedisResult = core::Result<T, RedisError>;

}  // namespace netra::redis
