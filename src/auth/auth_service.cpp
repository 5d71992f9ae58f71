#include "auth/auth_service.hpp"

#include <algorithm>
#include <cctype>

#include "auth/token_hash.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"

namespace netra::auth {
namespace {

constexpr size_t kMinPassword = 10;
constexpr size_t kMaxPassword = 256;

AuthError unavailable(const db::DbError& e) {
  return {AuthErrorCode::unavailable, e.message, ""};
}
AuthError invalid_token() {
  return {AuthErrorCode::invalid_token, "the token is not valid", ""};
}
core::Deadline store_deadline() {
  return core::Deadline::after(std::chrono::seconds(5));
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view email) {
  std::string e(email);
  e.erase(0, e.find_first_not_of(" \t\r\n"));
  e.erase(e.find_last_not_of(" \t\r\n") + 1);
  const auto at = e.rfind('@');
  if (e.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= e.size())
    return std::nullopt;
  const std::string local = e.substr(0, at);
  std::string domain = e.substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.') {
    return std::nullopt;
  }
  for (char c : e) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  std::transform(domain.begin(), domain.end(), domain.begin(), ::tolower);
  return local + "@" + domain;
}

AuthService::AuthService(AuthSettings settings, KeyRing keys, db::Database& db,
                         const PasswordHasher& hasher, RevokedSessions* revoked)
    : settings_(std::move(settings)),
      keys_(std::move(keys)),
      verifier_(VerifierOptions{settings_.issuer, settings_.audience, std::chrono::seconds(30),
                                8 * 1024, 100000}),
      users_(db),
      tokens_(db),
      identities_(db),
      hasher_(hasher),
      revoked_(revoked) {
  if (keys_.signing) {
    verifier_.replace_keys(keys_.all());
  } else {
    key_made_.begin();  // ended by install_keys() or keys_failed()
  }
}

void AuthService::install_keys(KeyRing keys) {
  if (!keys.signing) {
    keys_failed("the key ring came without a signing key");
    return;
  }
  verifier_.replace_keys(keys.all());
  {
    std::lock_guard lock(keys_mutex_);
    keys_ = std::move(keys);
  }
  key_made_.end();
}

void AuthService::keys_failed(std::string why) {
  {
    std::lock_guard lock(keys_mutex_);
    keys_problem_ = std::move(why);
  }
  key_made_.end();
}

std::shared_ptr<const SigningKey> AuthService::current_signing_key() const {
  std::lock_guard lock(keys_mutex_);
  return keys_.signing;
}

asio::awaitable<AuthResult<std::shared_ptr<const SigningKey>>> AuthService::signing_key(
    std::chrono::milliseconds wait) {
  auto key = current_signing_key();
  if (key) co_return key;
  // Joins the flight the constructor began; a flight that ended already returns at once.
  std::function<asio::awaitable<void>()> nothing = []() -> asio::awaitable<void> { co_return; };
  co_await key_made_.run(std::move(nothing), core::Deadline::after(wait));
  key = current_signing_key();
  if (key) co_return key;
  std::string problem;
  {
    std::lock_guard lock(keys_mutex_);
    problem = keys_problem_.empty()
                  ? "the signing key is still being made (a first start); try again in a moment"
                  : "no signing key: " + keys_problem_;
  }
  co_return AuthError{AuthErrorCode::unavailable, std::move(problem), ""};
}

asio::awaitable<AuthResult<User>> AuthService::register_user(std::string email,
                                                             std::string password) {
  auto normalized = normalize_email(email);
  if (!normalized)
    co_return AuthError{AuthErrorCode::invalid_request, "not an email address", "email"};
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    co_return AuthError{AuthErrorCode::invalid_request, "must be 10 to 256 characters long",
                        "password"};
  }
  auto hashed = co_await hasher_.hash(std::move(password));
  if (!hashed) {
    const auto code = hashed.error().busy ? AuthErrorCode::busy : AuthErrorCode::unavailable;
    co_return AuthError{code, hashed.error().message, ""};
  }
  auto created = co_await users_.create(*normalized, hashed.value(), store_deadline());
  if (!created) {
    if (created.error().code == db::DbErrorCode::constraint) {
      co_return AuthError{AuthErrorCode::email_taken, "an account with this email exists", "email"};
    }
    co_return unavailable(created.error());
  }
  co_return created.value();
}

asio::awaitable<AuthResult<TokenPair>> AuthService::login(std::string email, std::string password) {
  const auto normalized = normalize_email(email);
  std::optional<User> user;
  if (normalized) {
    auto found = co_await users_.find_by_email(*normalized, store_deadline());
    if (!found) co_return unavailable(found.error());
    user = found.value();
  }
  // The same argon2id work whether or not the account exists: the answer's timing says nothing.
  // (Named first: g++ 12 mis-destroys a `?:` temporary inside a co_await expression.)
  std::string stored_hash = user ? user->password_hash : std::string();
  auto verified = co_await hasher_.verify(std::move(stored_hash), std::move(password));
  if (!verified) co_return AuthError{AuthErrorCode::busy, verified.error().message, ""};
  if (!user || !verified.value()) {
    co_return AuthError{AuthErrorCode::invalid_credentials, "wrong email or password", ""};
  }
  co_return co_await start_login(*user);
}

AuthService::IssuedPair AuthService::issue_pair(const SigningKey& key, const User& user,
                                                const std::string& family,
                                                std::optional<std::string> parent) const {
  const int64_t now = core::unix_seconds_now();
  // Both tokens carry the user, this service's names, their own id and lifetime, and the login.
  auto claims = [&](const char* id_prefix, std::chrono::seconds ttl, TokenType type) {
    return Claims{user.id,
                  settings_.issuer,
                  settings_.audience,
                  core::make_id(id_prefix),
                  now,
                  now,
                  now + ttl.count(),
                  type,
                  family};
  };
  const Claims access = claims("at", settings_.access_ttl, TokenType::access);
  const Claims refresh = claims("rt", settings_.refresh_ttl, TokenType::refresh);
  TokenPair pair{issue_token(key, access), issue_token(key, refresh), settings_.access_ttl.count(),
                 user};
  RefreshTokenRecord record{refresh.token_id,
                            user.id,
                            family,
                            std::move(parent),
                            token_hash(pair.refresh_token),
                            now,
                            refresh.expires_at,
                            std::nullopt,
                            std::nullopt};
  return {std::move(pair), std::move(record)};
}

void AuthService::announce_revoked(const std::string& family) const {
  if (revoked_ == nullptr) return;
  // The verifier's leeway past the last access token's expiry.
  revoked_->revoke(family, core::unix_seconds_now() + settings_.access_ttl.count() + 30);
}

asio::awaitable<AuthResult<TokenPair>> AuthService::start_login(const User& user) {
  auto key = co_await signing_key();
  if (!key) co_return key.error();
  auto issued = issue_pair(**key, user, core::make_id("fam"), std::nullopt);
  auto stored = co_await tokens_.start_family(std::move(issued.record), store_deadline());
  if (!stored) co_return unavailable(stored.error());
  co_return std::move(issued.pair);
}

asio::awaitable<AuthResult<RefreshTokenRecord>> AuthService::stored_refresh_token(
    const std::string& refresh_token) {
  auto claims = verifier_.verify(refresh_token, TokenType::refresh, core::unix_seconds_now());
  if (!claims) co_return invalid_token();
  auto found = co_await tokens_.find_by_hash(token_hash(refresh_token), store_deadline());
  if (!found) co_return unavailable(found.error());
  if (!found->has_value()) co_return invalid_token();
  co_return **found;
}

asio::awaitable<AuthResult<TokenPair>> AuthService::refresh(std::string refresh_token) {
  auto stored = co_await stored_refresh_token(refresh_token);
  if (!stored) co_return stored.error();
  const RefreshTokenRecord record = stored.value();
  auto user = co_await users_.find_by_id(record.user_id, store_deadline());
  if (!user) co_return unavailable(user.error());
  if (!user->has_value()) co_return invalid_token();
  auto key = co_await signing_key();  // there: the refresh token verified with it or before it
  if (!key) co_return key.error();
  auto issued = issue_pair(**key, **user, record.family_id, record.id);
  // One transaction: the token is used and its child stored only while the family is live, so a
  // logout or a detected reuse racing with this refresh cannot leave the child live.
  auto rotated = co_await tokens_.rotate(record.id, std::move(issued.record),
                                         core::unix_seconds_now(), store_deadline());
  if (!rotated) co_return unavailable(rotated.error());
  if (*rotated == RefreshOutcome::reused) announce_revoked(record.family_id);
  // reused: used before, so someone else holds a copy, and the family is revoked now.
  if (*rotated != RefreshOutcome::rotated) co_return invalid_token();
  co_return std::move(issued.pair);
}

asio::awaitable<AuthResult<db::Done>> AuthService::logout(std::string refresh_token) {
  auto stored = co_await stored_refresh_token(refresh_token);
  if (!stored) co_return stored.error();
  auto revoked =
      co_await tokens_.revoke_family(stored->family_id, core::unix_seconds_now(), store_deadline());
  if (!revoked) co_return unavailable(revoked.error());
  announce_revoked(stored->family_id);
  co_return db::Done{};
}

asio::awaitable<AuthResult<TokenPair>> AuthService::dev_login(std::string email) {
  auto normalized = normalize_email(email);
  if (!normalized)
    co_return AuthError{AuthErrorCode::invalid_request, "not an email address", "email"};
  auto found = co_await users_.find_by_email(*normalized, store_deadline());
  if (!found) co_return unavailable(found.error());
  std::optional<User> user = found.value();
  if (!user) {
    // No password can match this hash: the account is usable only through dev login.
    auto created = co_await users_.create(*normalized, "!dev-login-only", store_deadline());
    if (!created) co_return unavailable(created.error());
    user = created.value();
  }
  co_return co_await start_login(*user);
}

asio::awaitable<AuthResult<User>> AuthService::user(std::string user_id) {
  auto found = co_await users_.find_by_id(std::move(user_id), store_deadline());
  if (!found) co_return unavailable(found.error());
  if (!found->has_value()) co_return invalid_token();
  co_return **found;
}

asio::awaitable<AuthResult<TokenPair>> AuthService::sign_in_with_identity(std::string provider,
                                                                          IdToken identity) {
  auto linked = co_await identities_.user_of(provider, identity.subject, store_deadline());
  if (!linked) co_return unavailable(linked.error());
  if (linked->has_value()) {
    auto user = co_await users_.find_by_id(**linked, store_deadline());
    if (!user) co_return unavailable(user.error());
    if (user->has_value()) co_return co_await start_login(**user);
  }
  const auto normalized = identity.email ? normalize_email(*identity.email) : std::nullopt;
  if (!normalized || !identity.email_verified) {
    co_return AuthError{AuthErrorCode::email_not_verified,
                        identity.email ? "the provider has not verified the account's email address"
                                       : "the provider gave no email address (ask for the email "
                                         "scope)",
                        ""};
  }
  auto found = co_await users_.find_by_email(*normalized, store_deadline());
  if (!found) co_return unavailable(found.error());
  std::optional<User> user = found.value();
  if (!user) {
    // No password can match this hash: the account signs in through its provider only.
    auto created = co_await users_.create(*normalized, "!oidc-only", store_deadline());
    if (created) {
      user = created.value();
    } else if (created.error().code == db::DbErrorCode::constraint) {
      // Another sign-in (or a registration) created it meanwhile.
      auto again = co_await users_.find_by_email(*normalized, store_deadline());
      if (!again || !again->has_value()) co_return unavailable(created.error());
      user = **again;
    } else {
      co_return unavailable(created.error());
    }
  }
  auto link = co_await identities_.link(provider, identity.subject, user->id, *normalized,
                                        core::unix_ms_now(), store_deadline());
  if (!link && link.error().code != db::DbErrorCode::constraint) {
    co_return unavailable(link.error());
  }
  if (!link) {
    // A concurrent sign-in of the same subject linked it first: sign into what it linked.
    auto winner = co_await identities_.user_of(provider, identity.subject, store_deadline());
    if (!winner || !winner->has_value()) co_return unavailable(link.error());
    auto linked_user = co_await users_.find_by_id(**winner, store_deadline());
    if (!linked_user || !linked_user->has_value()) co_return unavailable(link.error());
    user = **linked_user;
  }
  co_return co_await start_login(*user);
}

core::Result<Claims, JwtError> AuthService::verify_access(std::string_view token) const {
  return verifier_.verify(token, TokenType::access, core::unix_seconds_now());
}

nlohmann::json AuthService::jwks() const {
  std::vector<std::shared_ptr<const SigningKey>> keys;
  {
    std::lock_guard lock(keys_mutex_);
    if (keys_.signing) keys = keys_.all();
  }
  auto published = nlohmann::json::array();
  for (const auto& key : keys) {
    if (!key->is_symmetric()) published.push_back(key->public_jwk());
  }
  return {{"keys", published}};
}

}  // namespace netra::auth
