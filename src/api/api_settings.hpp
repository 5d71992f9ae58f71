// ApiSettings: what the HTTP surface reads from configuration beyond the listener's limits — the
// administrator's token, the sign-in rate limits, the WebSocket URL clients are given, the
// largest ingest body — and the keys that fill it.
#pragma once

#include <cstddef>
#include <string>

#include "api/auth_routes.hpp"
#include "api/event_stream_routes.hpp"
#include "api/key_routes.hpp"
#include "api/status_routes.hpp"
#include "core/settings_schema.hpp"

namespace netra::api {

// Only ever read through its schema: the defaults are the keys' (api_settings_schema).
struct ApiSettings {
  // Shows the error texts in /health to a request that presents it; empty: to nobody.
  std::string admin_token;
  AuthRouteOptions auth_routes;  // dev_login comes from the auth layer's configuration
  std::string websocket_public_url;
  size_t ingest_body_limit = 0;
  ApiKeyLimits api_keys;
  EventStreamLimits event_streams;
  StatusPageOptions status;
};

// Its check: an administrator's token of at least 32 bytes (never its value in a message).
const core::SettingsSchema<ApiSettings>& api_settings_schema();

}  // namespace netra::api
