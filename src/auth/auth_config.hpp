// AuthConfig: what the auth layer reads from configuration — the signing keys, token lifetimes,
// the password hasher's share of threads, and where a separate auth service runs — and the
// `auth.*` keys that fill it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.hpp"
#include "auth/key_store.hpp"
#include "core/settings_schema.hpp"

namespace netra::auth {

// One OpenID Connect provider users may sign in with (auth.oidc.<name>.*).
struct OidcProviderConfig {
  std::string name;       // in the routes: /auth/oidc/<name>/login
  std::string issuer;     // its discovery document is <issuer>/.well-known/openid-configuration
  std::string client_id;  // as registered with the provider
  // From the environment only (NETRA_AUTH_OIDC_<NAME>_CLIENT_SECRET); empty: a public client,
  // which PKCE alone protects.
  std::string client_secret;
  std::vector<std::string> scopes{"openid", "email", "profile"};
  // This service's callback as registered with the provider:
  // https://<host>/auth/oidc/<name>/callback.
  std::string redirect_uri;
};

// A provider's name: a lower-case letter, then up to 31 letters or digits (it is part of
// environment variables' names and of URLs).
bool is_oidc_provider_name(std::string_view name);

// The keys of provider `name` (auth.oidc.<name>.issuer, ...) and their checks: the issuer and
// the redirect URI https:// unless on this machine, "openid" among the scopes, the secret from the
// environment (never its value in a message).
core::SettingsSchema<OidcProviderConfig> oidc_provider_schema(const std::string& name);

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
  // The OpenID providers users may sign in with; read by app/config_schema, which finds their
  // names in the configuration (auth.oidc_provider_schema does not list them).
  std::vector<OidcProviderConfig> oidc;

  bool remote() const { return !url.empty(); }
};

// The `auth.*` keys (but the API's sign-in rate limits and auth.port); its checks: the shared
// secret's length (never its value), HS256 with a secret, auth.url over https:// unless on this
// machine, auth.ca_file present.
const core::SettingsSchema<AuthConfig>& auth_config_schema();

}  // namespace netra::auth
