#include "api/api_settings.hpp"

namespace netra::api {

const core::SettingsSchema<ApiSettings>& api_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<ApiSettings> s;
    s.key("server.admin_token", &ApiSettings::admin_token,
          {.fallback = "\"\"",
           .help = "32+ bytes (set it with NETRA_SERVER_ADMIN_TOKEN, never in a file): a request "
                   "with Authorization: Bearer <it> sees the error texts in /health and "
                   "/health/startup; empty: nobody does over HTTP (the log has them)"})
        .key("auth.login_limit_per_minute",
             [](ApiSettings & s) -> auto& { return s.auth_routes.login_limit_per_minute; },
             {.fallback = "10",
              .min = 1,
              .max = 100000,
              .help = "login attempts per minute per client address and per account; more get 429"})
        .key("auth.register_limit_per_minute",
             [](ApiSettings & s) -> auto& { return s.auth_routes.register_limit_per_minute; },
             {.fallback = "10",
              .min = 1,
              .max = 100000,
              .help = "registrations per minute per client address (each hashes a password); more "
                      "get 429"})
        .key("auth.refresh_limit_per_minute",
             [](ApiSettings & s) -> auto& { return s.auth_routes.refresh_limit_per_minute; },
             {.fallback = "60",
              .min = 1,
              .max = 100000,
              .help = "token refreshes per minute per client address; more get 429"})
        .key("auth.api_keys_per_user", [](ApiSettings & s) -> auto& { return s.api_keys.per_user; },
             {.fallback = "20",
              .min = 1,
              .max = 1000,
              .help = "API keys one user may hold; POST /api/keys beyond it gets 409"})
        .key("auth.api_key_requests_per_minute",
             [](ApiSettings & s) -> auto& { return s.api_keys.requests_per_minute; },
             {.fallback = "1200",
              .min = 1,
              .max = 10000000,
              .help = "requests per minute one API key may make (across the instances with "
                      "Redis); more get 429"})
        .key("server.event_streams_per_user",
             [](ApiSettings & s) -> auto& { return s.event_streams.streams_per_user; },
             {.fallback = "10",
              .min = 1,
              .max = 10000,
              .help = "server-sent-event streams (/api/events, /api/runs/{id}/events) one user may "
                      "hold open on an instance; more get 429"})
        .key("server.event_stream_heartbeat_ms",
             [](ApiSettings & s) -> auto& { return s.event_streams.heartbeat; },
             {.fallback = "15000",
              .min = 100,
              .max = 300000,
              .help = "a quiet event stream gets a comment this often, so proxies and clients "
                      "know it is alive"})
        .key("server.event_stream_idle_timeout_ms",
             [](ApiSettings & s) -> auto& { return s.event_streams.idle_timeout; },
             {.fallback = "1800000",
              .min = 1000,
              .max = 86400000,
              .help = "an event stream with no event for this long ends (its client reconnects "
                      "with Last-Event-ID)"})
        .key("websocket.public_url", &ApiSettings::websocket_public_url,
             {.fallback = "\"\"",
              .help = "the WebSocket URL handed out with tickets (wss://host/ws); empty: "
                      "ws://<Host header>/ws"})
        .key("auth.admin_emails", [](ApiSettings & s) -> auto& { return s.status.admin_emails; },
             {.fallback = "[]",
              .help = "the accounts (by email, compared without case) that may open /status and "
                      "its feed"})
        .key("monitoring.status_public",
             [](ApiSettings & s) -> auto& { return s.status.public_page; },
             {.fallback = "false",
              .help = "true: /status/feed answers anyone (errors reduced to coarse marks, as "
                      "/health shows them); false: only auth.admin_emails"})
        .key("analytics.ingest_body_limit_bytes", &ApiSettings::ingest_body_limit,
             {.fallback = "16777216",
              .min = 1024,
              .max = 1073741824,
              .help = "largest body of POST /api/workloads/events (10,000 events); other routes "
                      "keep server.body_limit_bytes"});
    s.check([](const ApiSettings& settings, const core::ConfigValues& values,
               std::vector<std::string>& problems) {
      // The token itself is never printed, only where it came from.
      const auto& admin = settings.admin_token;
      if (!admin.empty() && admin.size() < 32) {
        problems.push_back("server.admin_token (from " + values.source("server.admin_token") +
                           ") is " + std::to_string(admin.size()) +
                           " bytes; at least 32 are required");
      }
    });
    return s;
  }();
  return schema;
}

}  // namespace netra::api
