#include "auth/remote_key_set.hpp"

#include "core/clock.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {
RemoteKeySet::RemoteKeySet(RemoteKeySetOptions options, Fetch fetch, const core::Clock& clock)
    : options_(std::move(options)),
      fetch_(std::move(fetch)),
      clock_(clock),
      verifier_(options_.verifier) {}

std::vector<std::shared_ptr<const SigningKey>> RemoteKeySet::parse_jwks(const nlohmann::json& jwks,
                                                                        std::string* skipped) {
  std::vector<std::shared_ptr<const SigningKey>> keys;
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) return keys;
  for (const auto& jwk : jwks["keys"]) {
    try {
      keys.push_back(std::make_shared<SigningKey>(SigningKey::from_public_jwk(jwk)));
    } catch (const std::invalid_argument& e) {
      if (skipped != nullptr) *skipped += std::string(skipped->empty() ? "" : "; ") + e.what();
    }
  }
  return keys;
}

asio::awaitable<void> RemoteKeySet::refresh() {
  const auto now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    const auto interval =
        verifier_.key_count() == 0 ? options_.retry_interval : options_.refresh_interval;
    if (attempted_ && now - last_attempt_ < interval) co_return;  // too soon: keep what we have
    attempted_ = true;
    last_attempt_ = now;
  }
  auto log = telemetry::logger("auth_keys");
  auto fetched = co_await fetch_(core::Deadline::after(options_.fetch_timeout));
  std::string problem;
  std::vector<std::shared_ptr<const SigningKey>> keys;
  if (!fetched) {
    problem = fetched.error();
  } else {
    std::string skipped;
    keys = parse_jwks(fetched.value(), &skipped);
    if (keys.empty())
      problem = "the JWKS has no usable key" + (skipped.empty() ? "" : ": " + skipped);
  }
  std::lock_guard lock(mutex_);
  if (!problem.empty()) {
    ++status_.failed_fetches;
    status_.last_error = problem;
    log->warn("fetching the signing keys failed: {}; keeping {} key(s)", problem,
              verifier_.key_count());
    co_return;
  }
  verifier_.replace_keys(keys);
  ++status_.fetches;
  status_.keys = keys.size();
  status_.last_error.clear();
  std::string kids;
  for (const auto& key : keys) kids += (kids.empty() ? "" : ", ") + key->kid();
  log->info("fetched {} signing key(s): {}", keys.size(), kids);
}

asio::awaitable<std::optional<JwtError>> RemoteKeySet::refetch_for(JwtError refused) {
  // An unknown kid may be a key issued since the last fetch; with no keys at all, fetch them.
  if (verifier_.key_count() != 0 && !refused.unknown_key) co_return refused;
  std::function<asio::awaitable<void>()> work = [this] { return refresh(); };
  co_await flight_.run(std::move(work), core::Deadline::after(options_.fetch_timeout));
  if (verifier_.key_count() == 0) co_return JwtError{"no signing keys fetched yet", false, true};
  co_return std::nullopt;
}

asio::awaitable<core::Result<Claims, JwtError>> RemoteKeySet::verify_access(std::string token) {
  auto verified = verifier_.verify(token, TokenType::access, core::unix_seconds_now());
  if (verified) co_return verified;
  if (auto refused = co_await refetch_for(verified.error())) co_return std::move(*refused);
  co_return verifier_.verify(token, TokenType::access, core::unix_seconds_now());
}

asio::awaitable<core::Result<boost::json::object, JwtError>> RemoteKeySet::verified_payload(
    std::string token) {
  auto verified = verifier_.verified_payload(token);
  if (verified) co_return verified;
  if (auto refused = co_await refetch_for(verified.error())) co_return std::move(*refused);
  co_return verifier_.verified_payload(token);
}

KeySetStatus RemoteKeySet::status() const {
  std::lock_guard lock(mutex_);
  auto s = status_;
  s.keys = verifier_.key_count();
  return s;
}

}  // namespace netra::auth
