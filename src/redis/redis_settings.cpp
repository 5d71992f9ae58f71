#include "redis/redis_settings.hpp"

namespace netra::redis {

const core::SettingsSchema<RedisSettings>& redis_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<RedisSettings> s;
    s.key("redis.url", &RedisSettings::url,
          {.fallback = "\"\"",
           .help = "redis://[user:password@]host:port[/db] or unix:/path; empty: no Redis, one "
                   "instance (tickets, rate limits and run ownership in process)"})
        .key("redis.command_timeout_ms", &RedisSettings::command_timeout,
             {.fallback = "1000",
              .min = 1,
              .max = 60000,
              .help = "a Redis command without a reply by then fails, and its connection is "
                      "dropped and made again"})
        .key("redis.connect_timeout_ms", &RedisSettings::connect_timeout,
             {.fallback = "2000",
              .min = 1,
              .max = 60000,
              .help = "connecting, authenticating and the first PING, each connection"})
        .check([](const RedisSettings& settings, const core::ConfigValues&,
                  std::vector<std::string>& problems) {
          if (auto options = client_options(settings); !options) {
            problems.push_back(options.error());
          }
        });
    return s;
  }();
  return schema;
}

core::Result<RedisClientOptions, std::string> client_options(const RedisSettings& settings) {
  RedisClientOptions options;
  if (!settings.url.empty()) {
    auto endpoint = parse_redis_url(settings.url);
    if (!endpoint) return "redis.url: " + endpoint.error();
    options.endpoint = std::move(endpoint.value());
  }
  options.command_timeout = settings.command_timeout;
  options.connect_timeout = settings.connect_timeout;
  return options;
}

}  // namespace netra::redis
