#include "auth/auth_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "auth/signing_key.hpp"
#include "net/http_url.hpp"

namespace netra::auth {
namespace {

void check_config(const AuthConfig& config, const core::ConfigValues& values,
                  std::vector<std::string>& problems) {
  // The secret itself is never printed, only where it came from and what is wrong with it.
  const auto& secret = config.keys.shared_secret;
  if (!secret.empty() && secret.size() < kMinSharedSecretBytes) {
    problems.push_back("auth.shared_secret (from " + values.source("auth.shared_secret") + ") is " +
                       std::to_string(secret.size()) + " bytes; at least " +
                       std::to_string(kMinSharedSecretBytes) + " are required");
  }
  if (config.keys.algorithm == KeyAlgorithm::hs256 && secret.empty()) {
    problems.push_back("auth.algorithm = \"HS256\" (from " + values.source("auth.algorithm") +
                       ") needs auth.shared_secret (NETRA_AUTH_SHARED_SECRET)");
  }
  if (config.remote()) {
    // The key set decides whose tokens are accepted: fetched over a network, it must come over
    // TLS, or whoever can swap it forges any user.
    const auto& url = config.url;
    const auto parsed = net::parse_http_url(url);
    if (!parsed) {
      problems.push_back("auth.url = \"" + url + "\" (from " + values.source("auth.url") +
                         "): " + parsed.error() +
                         "; give the auth service's https:// URL, e.g. https://auth.internal");
    } else if (!parsed->tls && !net::is_loopback_host(parsed->host)) {
      problems.push_back("auth.url = \"" + url + "\" (from " + values.source("auth.url") +
                         ") is http:// to a host that is not loopback: the key set that "
                         "decides whose tokens count must come over https://");
    }
  }
  if (!config.ca_file.empty() && !std::filesystem::exists(config.ca_file)) {
    problems.push_back("auth.ca_file = \"" + config.ca_file + "\" (from " +
                       values.source("auth.ca_file") + "): no such file");
  }
}

// The https:// rule of auth.url, for a URL of an OpenID provider or our own callback.
void check_url(const std::string& key, const std::string& url, const core::ConfigValues& values,
               const std::string& example, std::vector<std::string>& problems) {
  const auto parsed = net::parse_http_url(url);
  if (url.empty()) {
    problems.push_back(key + " is required (e.g. " + example + ")");
  } else if (!parsed) {
    problems.push_back(key + " = \"" + url + "\" (from " + values.source(key) +
                       "): " + parsed.error());
  } else if (!parsed->tls && !net::is_loopback_host(parsed->host)) {
    problems.push_back(
        key + " = \"" + url + "\" (from " + values.source(key) +
        ") is http:// to a host that is not loopback: sign-in must go over https://");
  }
}

void check_oidc_provider(const OidcProviderConfig& p, const core::ConfigValues& values,
                         std::vector<std::string>& problems) {
  const std::string prefix = "auth.oidc." + p.name + ".";
  check_url(prefix + "issuer", p.issuer, values, "https://accounts.google.com", problems);
  check_url(prefix + "redirect_uri", p.redirect_uri, values,
            "https://netra.example.com/auth/oidc/" + p.name + "/callback", problems);
  if (p.client_id.empty()) problems.push_back(prefix + "client_id is required");
  if (std::find(p.scopes.begin(), p.scopes.end(), "openid") == p.scopes.end()) {
    problems.push_back(prefix + "scopes (from " + values.source(prefix + "scopes") +
                       ") must include \"openid\"");
  }
  // Like auth.shared_secret: a secret in a file ends up in backups and repositories.
  const auto secret_source = values.source(prefix + "client_secret");
  if (!p.client_secret.empty() && secret_source.rfind("NETRA_", 0) != 0) {
    std::string variable = "NETRA_AUTH_OIDC_";
    for (char c : p.name) variable += static_cast<char>(std::toupper(c));
    problems.push_back(prefix + "client_secret is set in " + secret_source +
                       "; set it in the environment only (" + variable + "_CLIENT_SECRET)");
  }
}

}  // namespace

bool is_oidc_provider_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

core::SettingsSchema<OidcProviderConfig> oidc_provider_schema(const std::string& name) {
  const std::string prefix = "auth.oidc." + name + ".";
  core::SettingsSchema<OidcProviderConfig> s;
  s.key(prefix + "issuer", &OidcProviderConfig::issuer,
        {.fallback = "\"\"",
         .help = "the provider's issuer URL (its discovery document is under "
                 "/.well-known/openid-configuration)"})
      .key(prefix + "client_id", &OidcProviderConfig::client_id,
           {.fallback = "\"\"", .help = "this service's client id at the provider"})
      .key(prefix + "client_secret", &OidcProviderConfig::client_secret,
           {.fallback = "\"\"",
            .help = "the client secret: from the environment only; empty for a public client"})
      .key(prefix + "scopes", &OidcProviderConfig::scopes,
           {.fallback = "[\"openid\", \"email\", \"profile\"]",
            .help = "scopes asked for; \"openid\" is required, \"email\" links accounts"})
      .key(prefix + "redirect_uri", &OidcProviderConfig::redirect_uri,
           {.fallback = "\"\"",
            .help = "this service's callback as registered at the provider, "
                    "https://<host>/auth/oidc/<name>/callback"});
  s.check([name](const OidcProviderConfig& config, const core::ConfigValues& values,
                 std::vector<std::string>& problems) {
    auto named = config;
    named.name = name;
    check_oidc_provider(named, values, problems);
  });
  return s;
}

const core::SettingsSchema<AuthConfig>& auth_config_schema() {
  static const auto schema = [] {
    core::SettingsSchema<AuthConfig> s;
    s.key("auth.key_dir", [](AuthConfig & c) -> auto& { return c.keys.folder; },
          {.fallback = "\"var/keys\"",
           .help = "where the token signing key is created on first start (folder 0700, file 0600) "
                   "and kept"})
        .key_with("auth.algorithm", core::ValueType::string,
                  [](AuthConfig& config, const core::ConfigValue& value) {
                    const auto& name = std::get<std::string>(value);
                    config.keys.algorithm = name == "EdDSA"   ? KeyAlgorithm::eddsa
                                            : name == "HS256" ? KeyAlgorithm::hs256
                                                              : KeyAlgorithm::rs256;
                  },
                  {.fallback = "\"RS256\"",
                   .choices = {"RS256", "EdDSA", "HS256"},
                   .help = "token signatures: RS256 (fastest to verify), EdDSA, or HS256 (needs "
                           "auth.shared_secret)"})
        .key("auth.shared_secret", [](AuthConfig & c) -> auto& { return c.keys.shared_secret; },
             {.fallback = "\"\"",
              .help = "HS256 secret (32+ bytes; set it with NETRA_AUTH_SHARED_SECRET, never in a "
                      "file): tokens signed with it are accepted, for compatibility"})
        .key("auth.issuer", [](AuthConfig & c) -> auto& { return c.settings.issuer; },
             {.fallback = "\"netra\"", .help = "the iss claim tokens carry and must carry"})
        .key("auth.audience", [](AuthConfig & c) -> auto& { return c.settings.audience; },
             {.fallback = "\"netra-api\"", .help = "the aud claim tokens carry and must carry"})
        .key("auth.hash_threads", &AuthConfig::hash_threads,
             {.fallback = "2",
              .min = 1,
              .max = 64,
              .help = "threads that hash passwords (argon2id, 64 MiB each), apart from every other "
                      "blocking call"})
        .key(
            "auth.hash_queue", &AuthConfig::hash_queue,
            {.fallback = "32",
             .min = 1,
             .max = 100000,
             .help =
                 "passwords that may wait for a hashing thread; beyond, 503 busy with Retry-After"})
        .key("auth.dev_login", &AuthConfig::dev_login,
             {.fallback = "false",
              .help = "POST /auth/dev/login signs in any email without a password; refused in "
                      "production"})
        .key("auth.access_ttl_seconds",
             [](AuthConfig & c) -> auto& { return c.settings.access_ttl; },
             {.fallback = "900", .min = 60, .max = 86400, .help = "access tokens live this long"})
        .key("auth.refresh_ttl_seconds",
             [](AuthConfig & c) -> auto& { return c.settings.refresh_ttl; },
             {.fallback = "604800",
              .min = 3600,
              .max = 31536000,
              .help = "refresh tokens live this long"})
        .key("auth.url", &AuthConfig::url,
             {.fallback = "\"\"",
              .help =
                  "empty: the auth service runs inside `netra serve`; else the URL of a separate "
                  "`netra auth` whose keys verify tokens, fetched on first use: https:// (required "
                  "unless the host is loopback), or http://127.0.0.1:8081 on the same machine"})
        .key("auth.ca_file", &AuthConfig::ca_file,
             {.fallback = "\"\"",
              .help = "PEM file of the authority that signs the auth service's certificate (or an "
                      "OpenID provider's), for an https:// auth.url it does not reach through the "
                      "system's trust store"})
        .key("auth.jwks_refresh_interval_ms", &AuthConfig::jwks_refresh_interval,
             {.fallback = "5000",
              .min = 100,
              .max = 3600000,
              .help = "with auth.url: a token with an unknown kid fetches the keys again at most "
                      "this often"});
    s.check(check_config);
    return s;
  }();
  return schema;
}

}  // namespace netra::auth
