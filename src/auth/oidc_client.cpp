#include "auth/oidc_client.hpp"

#include <sodium.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include "auth/token_hash.hpp"
#include "core/clock.hpp"
#include "net/http_json.hpp"
#include "net/http_url.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {
namespace {

constexpr auto kDiscoveryLifetime = std::chrono::hours(1);
constexpr auto kDiscoveryRetry = std::chrono::seconds(5);
constexpr size_t kMaxProviderText = 200;  // of a provider's error_description, in our messages

// Percent-encoding of everything but RFC 3986's unreserved characters: right for a query
// parameter, a form field (application/x-www-form-urlencoded) and Basic credentials alike.
std::string encoded(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += (out.empty() ? "" : "&") + encoded(name) + "=" + encoded(value);
  }
  return out;
}

// Standard base64 (with padding), as HTTP Basic credentials need.
std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// An endpoint the discovery document names: a URL we can call, over https:// unless the
// provider runs on this machine.
bool usable_endpoint(const nlohmann::json& document, const char* name, std::string& out,
                     std::string& problem) {
  auto it = document.find(name);
  if (it == document.end() || !it->is_string()) {
    problem = std::string("the discovery document has no ") + name;
    return false;
  }
  const auto url = it->get<std::string>();
  const auto parsed = net::parse_http_url(url);
  if (!parsed) {
    problem = std::string(name) + " is not a URL we can call: " + parsed.error();
    return false;
  }
  if (!parsed->tls && !net::is_loopback_host(parsed->host)) {
    problem = std::string(name) + " is http:// to a host that is not loopback";
    return false;
  }
  out = url;
  return true;
}

std::string shortened(std::string text) {
  if (text.size() > kMaxProviderText) text = text.substr(0, kMaxProviderText) + "…";
  return text;
}

}  // namespace

std::string pkce_challenge(std::string_view verifier) {
  return token_hash(verifier);  // the same construction: base64url(SHA-256(text))
}

OidcClient::OidcClient(OidcProviderConfig config, std::shared_ptr<net::HttpClient> http)
    : config_(std::move(config)), http_(std::move(http)) {}

asio::awaitable<void> OidcClient::fetch_discovery(core::Deadline deadline) {
  std::string base = config_.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto document =
      co_await net::get_json_object(*http_, base + "/.well-known/openid-configuration", deadline);
  std::string problem;
  OidcDiscovery found;
  if (!document) {
    problem = document.error();
  } else if (document->value("issuer", std::string()) != config_.issuer) {
    // §4.3: the issuer must be the one configured, or another party's keys would be trusted.
    problem = "the discovery document names issuer \"" + document->value("issuer", std::string()) +
              "\", not \"" + config_.issuer + "\"";
  } else if (usable_endpoint(*document, "authorization_endpoint", found.authorization_endpoint,
                             problem) &&
             usable_endpoint(*document, "token_endpoint", found.token_endpoint, problem) &&
             usable_endpoint(*document, "jwks_uri", found.jwks_uri, problem)) {
    found.issuer = config_.issuer;
  }
  auto log = telemetry::logger("auth_oidc");
  std::lock_guard lock(mutex_);
  last_attempt_ = std::chrono::steady_clock::now();
  if (found.issuer.empty()) {
    last_error_ = problem;
    log->warn("OpenID provider {}: discovery failed: {}", config_.name, problem);
    co_return;
  }
  if (!keys_ || !discovered_ || discovered_->jwks_uri != found.jwks_uri) {
    RemoteKeySetOptions options;
    options.verifier.max_token_bytes = 16 * 1024;
    auto http = http_;
    keys_ = std::make_shared<RemoteKeySet>(options,
                                           [http, url = found.jwks_uri](core::Deadline deadline) {
                                             return net::get_json_object(*http, url, deadline);
                                           });
  }
  discovered_ = found;
  discovered_at_ = last_attempt_;
  last_error_.clear();
  log->info("OpenID provider {}: discovered {} (keys from {})", config_.name, found.issuer,
            found.jwks_uri);
}

asio::awaitable<core::Result<OidcDiscovery, std::string>> OidcClient::discovery(
    core::Deadline deadline) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    const bool fresh = discovered_ && now - discovered_at_ < kDiscoveryLifetime;
    const bool tried_lately = last_attempt_ != std::chrono::steady_clock::time_point{} &&
                              now - last_attempt_ < kDiscoveryRetry;
    if (fresh || (tried_lately && discovered_)) co_return *discovered_;
    if (tried_lately) co_return "the provider's discovery failed moments ago: " + last_error_;
  }
  std::function<asio::awaitable<void>()> work = [this, deadline] {
    return fetch_discovery(deadline);
  };
  co_await flight_.run(std::move(work), deadline);
  std::lock_guard lock(mutex_);
  if (discovered_) co_return *discovered_;  // a stale one beats none while it is refetched
  co_return last_error_.empty() ? std::string("the provider's discovery did not finish in time")
                                : last_error_;
}

std::string OidcClient::authorization_url(const OidcDiscovery& discovery,
                                          const PendingLogin& login) const {
  std::string scopes;
  for (const auto& scope : config_.scopes) scopes += (scopes.empty() ? "" : " ") + scope;
  const auto challenge = pkce_challenge(login.code_verifier);
  const auto query = form({{"response_type", "code"},
                           {"client_id", config_.client_id},
                           {"redirect_uri", config_.redirect_uri},
                           {"scope", scopes},
                           {"state", login.state},
                           {"nonce", login.nonce},
                           {"code_challenge", challenge},
                           {"code_challenge_method", "S256"}});
  const auto& endpoint = discovery.authorization_endpoint;
  return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + query;
}

asio::awaitable<core::Result<std::string, OidcProviderError>> OidcClient::redeem(
    const OidcDiscovery& discovery, std::string code, std::string code_verifier,
    core::Deadline deadline) {
  net::HttpClientRequest request;
  request.method = "POST";
  request.url = discovery.token_endpoint;
  request.span_name =
      "POST token endpoint";  // never its URL's query, whatever a provider puts there
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");
  if (config_.client_secret.empty()) {
    request.body = form({{"grant_type", "authorization_code"},
                         {"code", code},
                         {"redirect_uri", config_.redirect_uri},
                         {"code_verifier", code_verifier},
                         {"client_id", config_.client_id}});
  } else {
    // client_secret_basic (RFC 6749 §2.3.1): each part form-encoded, then base64.
    request.headers.emplace_back(
        "Authorization",
        "Basic " + base64(encoded(config_.client_id) + ":" + encoded(config_.client_secret)));
    request.body = form({{"grant_type", "authorization_code"},
                         {"code", code},
                         {"redirect_uri", config_.redirect_uri},
                         {"code_verifier", code_verifier}});
  }
  auto response = co_await http_->send(std::move(request), deadline);
  if (!response) {
    co_return OidcProviderError{false, "the token endpoint: " + response.error().message};
  }
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  const bool object = !body.is_discarded() && body.is_object();
  if (response->status != 200) {
    const auto error = object ? body.value("error", std::string()) : std::string();
    const auto described = object ? body.value("error_description", std::string()) : "";
    // invalid_grant: the code is used, expired, for another client or PKCE verifier (§5.2).
    const bool refused = error == "invalid_grant";
    std::string message = refused
                              ? "the provider refused the code"
                              : "the token endpoint answered " + std::to_string(response->status);
    if (!error.empty()) message += ": " + shortened(error);
    if (!described.empty()) message += " (" + shortened(described) + ")";
    co_return OidcProviderError{refused, message};
  }
  if (!object || !body.contains("id_token") || !body["id_token"].is_string()) {
    co_return OidcProviderError{false, "the token endpoint's answer has no id_token"};
  }
  co_return body["id_token"].get<std::string>();
}

asio::awaitable<core::Result<IdToken, std::string>> OidcClient::verify(
    const OidcDiscovery& discovery, std::string id_token, std::string nonce) {
  std::shared_ptr<RemoteKeySet> keys;
  {
    std::lock_guard lock(mutex_);
    keys = keys_;
  }
  if (!keys) co_return std::string("no key set yet");
  auto payload = co_await keys->verified_payload(std::move(id_token));
  if (!payload) {
    const auto& why = payload.error();
    if (why.no_keys) co_return "the provider's signing keys could not be fetched";
    co_return "signature: " + why.reason;
  }
  IdTokenExpectations expected;
  expected.issuer = discovery.issuer;
  expected.client_id = config_.client_id;
  expected.nonce = std::move(nonce);
  expected.now = core::unix_seconds_now();
  co_return check_id_token(payload.value(), expected);
}

}  // namespace netra::auth
