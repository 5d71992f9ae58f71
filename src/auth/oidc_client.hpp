// OidcClient: this service as the client of one OpenID provider — its discovery document
// (fetched on first use, not at start-up, and kept an hour), the authorization URL of a sign-in
// (code flow with PKCE S256, state and nonce), the exchange of a code for an ID token at the
// token endpoint, and the ID token's verification against the provider's JWKS (RemoteKeySet:
// fetched when needed, again on an unknown kid) and the checks of auth/id_token.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "auth/auth_config.hpp"
#include "auth/id_token.hpp"
#include "auth/oidc_store.hpp"
#include "auth/remote_key_set.hpp"
#include "core/deadline.hpp"
#include "core/result.hpp"
#include "core/single_flight.hpp"
#include "net/http_client.hpp"

namespace netra::auth {

namespace asio = boost::asio;

// What discovery says (OpenID Connect Discovery 1.0 §3), the parts a code flow needs.
struct OidcDiscovery {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};

// Why a step with the provider failed: its answer refused the code (a replayed or expired one),
// or it could not be asked (down, slow, answering nonsense).
struct OidcProviderError {
  bool code_refused = false;
  std::string message;  // never a secret, a code or a token
};

class OidcClient {
 public:
  OidcClient(OidcProviderConfig config, std::shared_ptr<net::HttpClient> http);

  const OidcProviderConfig& config() const { return config_; }

  // The discovery document, fetched once and kept an hour; a failed fetch is tried again at most
  // every few seconds (a provider that is down costs sign-ins a quick 503, not a wait each).
  asio::awaitable<core::Result<OidcDiscovery, std::string>> discovery(core::Deadline deadline);

  // Where to send the browser for `login` (its state, nonce and PKCE verifier).
  std::string authorization_url(const OidcDiscovery& discovery, const PendingLogin& login) const;

  // The ID token the token endpoint gives for `code` (client_secret_basic, or the client id
  // alone for a public client), with `code_verifier`.
  asio::awaitable<core::Result<std::string, OidcProviderError>> redeem(
      const OidcDiscovery& discovery, std::string code, std::string code_verifier,
      core::Deadline deadline);

  // The ID token's signature (the provider's JWKS) and claims (issuer, audience, expiry, nonce).
  asio::awaitable<core::Result<IdToken, std::string>> verify(const OidcDiscovery& discovery,
                                                             std::string id_token,
                                                             std::string nonce);

 private:
  asio::awaitable<void> fetch_discovery(core::Deadline deadline);

  OidcProviderConfig config_;
  std::shared_ptr<net::HttpClient> http_;
  core::SingleFlight flight_;
  mutable std::mutex mutex_;
  std::optional<OidcDiscovery> discovered_;
  std::chrono::steady_clock::time_point discovered_at_{};
  std::chrono::steady_clock::time_point last_attempt_{};
  std::string last_error_;
  std::shared_ptr<RemoteKeySet> keys_;  // made with the discovery (its jwks_uri)
};

// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2): base64url(SHA-256(verifier)).
std::string pkce_challenge(std::string_view verifier);

}  // namespace netra::auth
