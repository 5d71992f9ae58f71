#include "redis/redis_reply.hpp"

namespace netra::redis {

std::optional<std::string> RedisReply::string() const {
  if (type != Type::string) return std::nullopt;
  return text;
}

bool RedisError::is_noscript() const {
  return kind == Kind::server && std::string_view(message).starts_with("NOSCRIPT");
}

std::string_view to_string(RedisError::Kind kind) {
  switch (kind) {
    case RedisError::Kind::unavailable:
      return "unavailable";
    case RedisError::Kind::timeout:
      return "timeout";
    case RedisError::Kind::auth:
      return "auth";
    case RedisError::Kind::server:
      return "server";
  }
  return "unavailable";
}

}  // namespace netra::redis
