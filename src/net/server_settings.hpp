// ServerSettings: the HTTP listener's limits and timeouts, and the `server.*` keys that fill them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/settings_schema.hpp"
#include "net/client_address.hpp"
#include "net/cors.hpp"

namespace netra::net {

struct ServerSettings {
  std::string host = "0.0.0.0";                       // "::" listens on IPv6 and IPv4
  uint16_t port = 8000;                               // 0 picks a free port (tests)
  size_t body_limit = 1024 * 1024;                    // → 413
  size_t header_limit = 16 * 1024;                    // → 431
  std::chrono::milliseconds request_timeout{10000};   // first byte to full request → 408
  std::chrono::milliseconds idle_timeout{30000};      // keep-alive wait for the next request
  size_t max_connections = 10000;                     // beyond → 503 and close
  size_t max_connections_per_address = 512;           // of one peer (not a trusted proxy) → 503
  std::chrono::milliseconds request_deadline{30000};  // handler time → 504
  bool access_log = true;
  TrustedProxies trusted_proxies;  // who may name the client (HttpRequest::remote_address)
  CorsPolicy cors;                 // browser origins other than our own that may call the API
};

const core::SettingsSchema<ServerSettings>& server_settings_schema();

}  // namespace netra::net
