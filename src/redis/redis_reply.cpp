#include "redis/redis_reply.hpp"

namespace netra::redis {

std::optional<std::string> RedisReply::string() const {
  if (type != Type::string) return std::nullopt;
  return text;
}

bool RedisError::is_noscript() const {
  return kind == Kind::server && std::string_view(message).starts_with("NOSCRIPT");
}

}  // namespace netra::redis
