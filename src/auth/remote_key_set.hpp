// RemoteKeySet: token verification for a backend whose auth service runs as its own process
// (`netra auth`, configured by auth.url). The keys come from that service's JWKS, fetched lazily —
// on the first token to verify, not at start-up, so neither process waits for the other — then
// cached, and fetched again when a token names a kid the set lacks (a rotation), at most once per
// refresh interval. Until the first successful fetch there are no keys, and callers answer 503
// auth_unavailable. Verification itself stays local: no call to the auth service per request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "core/deadline.hpp"
#include "core/result.hpp"
#include "core/single_flight.hpp"

namespace netra::auth {

namespace asio = boost::asio;

struct RemoteKeySetOptions {
  VerifierOptions verifier;
  std::chrono::milliseconds fetch_timeout{2000};
  // A token with an unknown kid fetches the set again at most this often (a stream of forged
  // kids cannot turn into a stream of fetches).
  std::chrono::milliseconds refresh_interval{5000};
  // While there are no keys at all, a failed fetch is retried at most this often.
  std::chrono::milliseconds retry_interval{1000};
};

struct KeySetStatus {
  size_t keys = 0;
  size_t fetches = 0;         // successful
  size_t failed_fetches = 0;  // attempts that got no usable set
  std::string last_error;     // of the last failed attempt
};

class RemoteKeySet {
 public:
  // Returns the JWKS document, or why not. Must honour the deadline.
  using Fetch =
      std::function<asio::awaitable<core::Result<nlohmann::json, std::string>>(core::Deadline)>;

  RemoteKeySet(RemoteKeySetOptions options, Fetch fetch,
               const core::Clock& clock = core::steady_clock());

  // Like AuthService::verify_access; `no_keys` while no key set has been fetched.
  asio::awaitable<core::Result<Claims, JwtError>> verify_access(std::string token);
  // JwtVerifier::verified_payload with the same fetching: a token of another issuer (an OpenID
  // provider's ID token) whose signature one of the fetched keys verifies.
  asio::awaitable<core::Result<boost::json::object, JwtError>> verified_payload(std::string token);
  KeySetStatus status() const;

  // The usable keys of a JWKS document; keys it cannot use (other kty, malformed) are skipped.
  static std::vector<std::shared_ptr<const SigningKey>> parse_jwks(const nlohmann::json& jwks,
                                                                   std::string* skipped = nullptr);

 private:
  asio::awaitable<void> refresh();
  // After a token was refused: fetches the set again when that may help (an unknown kid, or no
  // keys yet) and returns nothing when a second check is worth making, else why not.
  asio::awaitable<std::optional<JwtError>> refetch_for(JwtError refused);

  RemoteKeySetOptions options_;
  Fetch fetch_;
  const core::Clock& clock_;
  JwtVerifier verifier_;
  core::SingleFlight flight_;
  mutable std::mutex mutex_;
  core::Clock::time_point last_attempt_{};
  bool attempted_ = false;
  KeySetStatus status_;
};

}  // namespace netra::auth
