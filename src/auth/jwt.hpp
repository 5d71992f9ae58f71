// JWT issue and verification: one way to sign tokens, one way to check them — locally, with the
// algorithm taken from our own allow-list and the key's own type (never from the token alone),
// exp/nbf with a small leeway, and iss, aud and token_type all required.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signing_key.hpp"
#include "core/result.hpp"

namespace netra::auth {

enum class TokenType { access, refresh };
std::string_view to_string(TokenType t);

struct Claims {
  std::string subject;  // sub: the user id
  std::string issuer;
  std::string audience;
  std::string token_id;    // jti
  int64_t issued_at = 0;   // iat, Unix seconds
  int64_t not_before = 0;  // nbf
  int64_t expires_at = 0;  // exp
  TokenType type = TokenType::access;
  // sid: the login it came from (its refresh-token family), so that what the token opened (a
  // WebSocket) can end when that login is revoked. Empty in tokens issued before it existed.
  std::string session_id;
};

// Why a token was refused — for the log (never containing the token); clients only ever see
// 401 invalid_token.
struct JwtError {
  std::string reason;
  bool unknown_key = false;  // no key with the token's kid: a key set fetched from elsewhere
                             // may be out of date
  bool no_keys = false;      // nothing to verify with yet (503, not 401)
};

// A NumericDate claim (RFC 7519 §2: seconds since the epoch, an integer or not) of `payload`;
// nullopt when it is absent, not a number, or outside 0..kLatestNumericDate (the year 9999), so
// that no claim read from a token, ours or a provider's, can overflow the arithmetic on it.
inline constexpr int64_t kLatestNumericDate = 253402300799;
std::optional<int64_t> numeric_date(const boost::json::object& payload, std::string_view name);
// A string claim of `payload`; nullopt when it is absent or not a string.
std::optional<std::string> string_claim(const boost::json::object& payload, std::string_view name);

// header.payload.signature, signed with `key`.
std::string issue_token(const SigningKey& key, const Claims& claims);

struct VerifierOptions {
  std::string issuer;
  std::string audience;
  std::chrono::seconds leeway{30};
  size_t max_token_bytes = 8 * 1024;  // longer is refused before any parsing
  // Tokens verified before are answered from a bounded cache (the same bytes only, and exp/nbf
  // are checked again on every hit). 0 turns it off.
  size_t cache_capacity = 0;
};

class JwtVerifier {
 public:
  explicit JwtVerifier(VerifierOptions options);
  ~JwtVerifier();

  // Keys are found by kid; several may be present while keys rotate. Thread-safe: the keys of
  // a verifier fed from a fetched JWKS change while requests verify. Replacing them forgets the
  // cached tokens, so a key withdrawn from the set stops working at once.
  void add_key(std::shared_ptr<const SigningKey> key);
  void replace_keys(const std::vector<std::shared_ptr<const SigningKey>>& keys);
  bool has_key(const std::string& kid) const;
  size_t key_count() const;

  core::Result<Claims, JwtError> verify(std::string_view token, TokenType expected,
                                        int64_t now_seconds) const;
  // The payload of a token whose signature one of the keys verifies (found by kid, the algorithm
  // the key's own), its claims not yet checked: for tokens of other issuers, such as an OpenID
  // provider's ID tokens, whose claims are not ours (see auth/id_token.hpp).
  core::Result<boost::json::object, JwtError> verified_payload(std::string_view token) const;

 private:
  core::Result<Claims, JwtError> verify_uncached(std::string_view token, TokenType expected,
                                                 int64_t now_seconds) const;
  using KeyMap = std::map<std::string, std::shared_ptr<const SigningKey>, std::less<>>;
  std::shared_ptr<const KeyMap> keys() const;
  struct Cache;
  VerifierOptions options_;
  std::unique_ptr<Cache> cache_;
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const KeyMap> keys_ = std::make_shared<KeyMap>();
};

}  // namespace netra::auth
