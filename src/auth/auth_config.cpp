#include "auth/auth_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <filesystem>

#include "auth/signing_key.hpp"
#include "net/http_url.hpp"

namespace netra::auth {
namespace {

// 127.0.0.0/8, ::1 or "localhost": the auth service on this machine, where plain HTTP stays on
// the loopback interface.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

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
    } else if (!parsed->tls && !is_loopback_host(parsed->host)) {
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

}  // namespace

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
              .help = "PEM file of the authority that signs the auth service's certificate, for an "
                      "https:// auth.url it does not reach through the system's trust store"})
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
