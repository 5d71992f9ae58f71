// AuthService: accounts and tokens — register, log in, rotate refresh tokens (a reused one
// revokes its whole family), log out — and the one local verification of access tokens that
// every /api route and the WebSocket handshake use. No HTTP here; routes live in app/.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/id_token.hpp"
#include "auth/jwt.hpp"
#include "auth/key_store.hpp"
#include "auth/oidc_store.hpp"
#include "auth/password_hasher.hpp"
#include "auth/revoked_sessions.hpp"
#include "auth/user_store.hpp"
#include "core/single_flight.hpp"

namespace netra::auth {

struct AuthSettings {
  std::string issuer = "netra";
  std::string audience = "netra-api";
  std::chrono::seconds access_ttl{15 * 60};
  std::chrono::seconds refresh_ttl{7 * 24 * 3600};
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in = 0;  // seconds, of the access token
  User user;
};

enum class AuthErrorCode {
  invalid_request,      // 400: with `field`
  email_taken,          // 409
  invalid_credentials,  // 401: the same for a wrong email and a wrong password
  invalid_token,        // 401
  unavailable,          // 503: the database or the hasher failed
  busy,                 // 503 with Retry-After: too many passwords being hashed right now
  email_not_verified,   // 403: an OpenID sign-in whose provider did not verify the email
};

struct AuthError {
  AuthErrorCode code = AuthErrorCode::invalid_request;
  std::string message;
  std::string field;  // for invalid_request
};

template <typename T>
using AuthResult = core::Result<T, AuthError>;

// Trimmed, domain lower-cased, and checked; nullopt when it is not an email address.
std::optional<std::string> normalize_email(std::string_view email);

class AuthService {
 public:
  // Signs with `keys.signing`; accepts every key of the ring. `revoked` (optional) hears of every
  // login this service revokes (logout, a refresh token used twice), for as long as an access
  // token of it may live.
  // A ring without a signing key is one still being made (a first start makes it off the start-up
  // path): sign-ins and the key set wait for install_keys() or keys_failed(), each until its own
  // deadline, and no token verifies before (none can have been signed).
  AuthService(AuthSettings settings, KeyRing keys, db::Database& db, const PasswordHasher& hasher,
              RevokedSessions* revoked = nullptr);

  // The ring that was being made, now made; or why it could not be (sign-ins then answer 503
  // with it).
  void install_keys(KeyRing keys);
  void keys_failed(std::string why);
  // The key new tokens are signed with, waiting up to `wait` while it is being made.
  asio::awaitable<AuthResult<std::shared_ptr<const SigningKey>>> signing_key(
      std::chrono::milliseconds wait = kSigningKeyWait);
  // How long a sign-in waits for a key being made: making an RSA key takes 40-250 ms here.
  static constexpr std::chrono::milliseconds kSigningKeyWait{5000};

  asio::awaitable<AuthResult<User>> register_user(std::string email, std::string password);
  asio::awaitable<AuthResult<TokenPair>> login(std::string email, std::string password);
  asio::awaitable<AuthResult<TokenPair>> refresh(std::string refresh_token);
  asio::awaitable<AuthResult<db::Done>> logout(std::string refresh_token);
  // Development only (the route exists only with auth.dev_login): signs in `email`, creating the
  // account with an unusable random password if it does not exist.
  asio::awaitable<AuthResult<TokenPair>> dev_login(std::string email);
  asio::awaitable<AuthResult<User>> user(std::string user_id);
  // A user an OpenID provider vouches for (its ID token verified; see OidcSignIn): the account
  // that provider's subject signed into before; else the account of its email, linked only when
  // the provider verified that email (else anyone who can set an unverified address there would
  // take over the account); else a new account, also only with a verified email.
  asio::awaitable<AuthResult<TokenPair>> sign_in_with_identity(std::string provider,
                                                               IdToken identity);

  // Local, no I/O: signature, alg, exp/nbf, iss, aud, token_type=access.
  core::Result<Claims, JwtError> verify_access(std::string_view token) const;
  // Every asymmetric key of the ring, the signing one first (a shared secret is never published);
  // none while the signing key is being made (await signing_key() first to publish it).
  nlohmann::json jwks() const;

 private:
  // The stored record of a refresh token that verifies (signature, type, time), or why not.
  asio::awaitable<AuthResult<RefreshTokenRecord>> stored_refresh_token(
      const std::string& refresh_token);
  // A new access and refresh token for `user`, and the refresh token's record (to store).
  struct IssuedPair {
    TokenPair pair;
    RefreshTokenRecord record;
  };
  IssuedPair issue_pair(const SigningKey& key, const User& user, const std::string& family,
                        std::optional<std::string> parent) const;
  std::shared_ptr<const SigningKey> current_signing_key() const;
  // A new login's pair, stored as the first token of a new family.
  asio::awaitable<AuthResult<TokenPair>> start_login(const User& user);
  // Tells `revoked_` that login `family` ended: its access tokens live at most access_ttl more.
  void announce_revoked(const std::string& family) const;

  AuthSettings settings_;
  mutable std::mutex keys_mutex_;  // keys_ and keys_problem_: install_keys() comes from a loop
  KeyRing keys_;
  std::string keys_problem_;  // why the signing key being made could not be
  // In flight while the signing key is being made: signing_key()'s callers join it.
  core::SingleFlight key_made_;
  JwtVerifier verifier_;
  UserStore users_;
  RefreshTokenStore tokens_;
  IdentityStore identities_;
  const PasswordHasher& hasher_;
  RevokedSessions* revoked_;
};

}  // namespace netra::auth
