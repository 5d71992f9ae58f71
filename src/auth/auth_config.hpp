// AuthConfig: what the auth layer reads from configuration — the signing keys, token lifetimes,
// the password hasher's share of threads, and where a separate auth service runs — and the
// `auth.*` keys that fill it.
#pragma once

#include <chrono>
#include <string>

#include "auth/auth_service.hpp"
#include "auth/key_store.hpp"
#include "core/settings_schema.hpp"

namespace netra::auth {

struct AuthConfig {
  KeyRingOptions keys{"var/keys", KeyAlgorithm::rs256, ""};
  AuthSettings settings;
  bool dev_login = false;   // POST /auth/dev/login: never in production
  size_t hash_threads = 2;  // the password hasher's own threads
  size_t hash_queue = 32;   // hashes that may wait for one; beyond, 503 busy
  // A separate auth service (its base URL), whose published keys verify tokens here; empty: the
  // auth service is embedded.
  std::string url;
  std::string ca_file;  // the authority its certificate chains to; empty: the system's
  std::chrono::milliseconds jwks_refresh_interval{5000};

  bool remote() const { return !url.empty(); }
};

// The `auth.*` keys (but the API's sign-in rate limits and auth.port); its checks: the shared
// secret's length (never its value), HS256 with a secret, auth.url over https:// unless on this
// machine, auth.ca_file present.
const core::SettingsSchema<AuthConfig>& auth_config_schema();

}  // namespace netra::auth
