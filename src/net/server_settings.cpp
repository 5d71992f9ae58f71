#include "net/server_settings.hpp"

namespace netra::net {

const core::SettingsSchema<ServerSettings>& server_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<ServerSettings> s;
    s.key("server.host", &ServerSettings::host,
          {.fallback = "\"0.0.0.0\"", .help = "address the HTTP listener binds"})
        .key("server.port", &ServerSettings::port,
             {.fallback = "8000", .min = 0, .max = 65535, .help = "port the HTTP listener binds"})
        .key("server.body_limit_bytes", &ServerSettings::body_limit,
             {.fallback = "1048576",
              .min = 1,
              .max = 1073741824,
              .help = "largest request body; larger is answered 413"})
        .key("server.header_limit_bytes", &ServerSettings::header_limit,
             {.fallback = "16384",
              .min = 1024,
              .max = 1048576,
              .help = "largest request header block; larger is answered 431"})
        .key(
            "server.request_timeout_ms", &ServerSettings::request_timeout,
            {.fallback = "10000",
             .min = 1,
             .max = 600000,
             .help =
                 "time from a request's first byte to its last; slower is answered 408 and closed"})
        .key("server.idle_timeout_ms", &ServerSettings::idle_timeout,
             {.fallback = "30000",
              .min = 1,
              .max = 3600000,
              .help = "a keep-alive connection with no request for this long is closed"})
        .key("server.max_connections", &ServerSettings::max_connections,
             {.fallback = "10000",
              .min = 1,
              .max = 1000000,
              .help = "open connections beyond this are answered 503 and closed"})
        .key("server.max_connections_per_address", &ServerSettings::max_connections_per_address,
             {.fallback = "512",
              .min = 1,
              .max = 1000000,
              .help = "open connections of one client address beyond this are answered 503 and "
                      "closed (a trusted proxy is exempt)"})
        .key("server.request_deadline_ms", &ServerSettings::request_deadline,
             {.fallback = "30000",
              .min = 1,
              .max = 3600000,
              .help = "a handler that takes longer is cancelled and answered 504"})
        .key("server.access_log", &ServerSettings::access_log,
             {.fallback = "true", .help = "log one line per request"})
        .key_with("server.trusted_proxies", core::ValueType::string_list,
                  [](ServerSettings& settings, const core::ConfigValue& value) {
                    settings.trusted_proxies =
                        TrustedProxies::parse(std::get<std::vector<std::string>>(value));
                  },
                  {.fallback = "[]",
                   .help = "proxies (CIDRs or addresses) whose Forwarded / X-Forwarded-For names "
                           "the client; from any other peer those headers are ignored"})
        .key_with("server.cors_origins", core::ValueType::string_list,
                  [](ServerSettings& settings, const core::ConfigValue& value) {
                    settings.cors = CorsPolicy::parse(std::get<std::vector<std::string>>(value));
                  },
                  {.fallback = "[]",
                   .help = "browser origins (\"https://app.example.com\", exact, no wildcard) "
                           "whose pages may call the API and open its WebSocket; a page of any "
                           "other origin is refused"});
    return s;
  }();
  return schema;
}

}  // namespace netra::net
