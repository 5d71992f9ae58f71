// RedisSettings: the `redis.*` keys — where Redis is (none: one instance, state in process) and
// how long its calls may take — declared beside the fields they fill.
#pragma once

#include <chrono>
#include <string>

#include "core/result.hpp"
#include "core/settings_schema.hpp"
#include "redis/redis_client.hpp"

namespace netra::redis {

struct RedisSettings {
  std::string url;  // empty: no Redis; the in-process equivalents serve one instance
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds connect_timeout{2000};
};

// The `redis.*` keys; its check refuses a URL parse_redis_url refuses, naming redis.url.
const core::SettingsSchema<RedisSettings>& redis_settings_schema();

// The client's options for these settings, or why redis.url is refused ("redis.url: …").
core::Result<RedisClientOptions, std::string> client_options(const RedisSettings& settings);

}  // namespace netra::redis
