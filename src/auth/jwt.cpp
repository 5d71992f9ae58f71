#include "auth/jwt.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <unordered_map>

#include "auth/base64url.hpp"
#include "net/json_parse.hpp"

namespace netra::auth {
namespace {

using Verified = core::Result<Claims, JwtError>;

Verified refuse(std::string reason) {
  return JwtError{std::move(reason)};
}

// A base64url part holding a JSON object, or nothing. Boost.JSON: a fresh token's header and
// claims are parsed on the request path, and nlohmann's std::map-backed document took 7-9 % of
// an RS256 verification (bench/jwt_verify.sh).
std::optional<boost::json::object> json_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  auto json = net::parse_json(*bytes, ec);
  if (ec || !json.is_object()) return std::nullopt;
  return std::move(json.as_object());
}

}  // namespace

std::string_view to_string(TokenType t) {
  return t == TokenType::access ? "access" : "refresh";
}

std::optional<std::string> string_claim(const boost::json::object& payload, std::string_view name) {
  const auto* claim = payload.if_contains(name);
  if (claim == nullptr || !claim->is_string()) return std::nullopt;
  return std::string(claim->get_string());
}

std::optional<int64_t> numeric_date(const boost::json::object& payload, std::string_view name) {
  const auto* claim = payload.if_contains(name);
  if (claim == nullptr) return std::nullopt;
  if (claim->is_uint64()) {  // only integers past int64's range are read as uint64
    const uint64_t value = claim->get_uint64();
    if (value > static_cast<uint64_t>(kLatestNumericDate)) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  if (claim->is_int64()) {
    const int64_t value = claim->get_int64();
    if (value < 0 || value > kLatestNumericDate) return std::nullopt;
    return value;
  }
  if (claim->is_double()) {
    // Compared as a double before it is converted: NaN fails both, and nothing out of range is
    // ever cast (a cast of 1.8e65 to an integer is undefined behaviour).
    const double value = claim->get_double();
    if (!(value >= 0 && value <= static_cast<double>(kLatestNumericDate))) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  return std::nullopt;
}

std::string issue_token(const SigningKey& key, const Claims& c) {
  // Members in name order, as tokens have always had them.
  const boost::json::object header = {
      {"alg", jwt_alg(key.algorithm())}, {"kid", key.kid()}, {"typ", "JWT"}};
  boost::json::object payload = {{"aud", c.audience}, {"exp", c.expires_at}, {"iat", c.issued_at},
                                 {"iss", c.issuer},   {"jti", c.token_id},   {"nbf", c.not_before}};
  if (!c.session_id.empty()) payload["sid"] = c.session_id;
  payload["sub"] = c.subject;
  payload["token_type"] = to_string(c.type);
  const std::string signing_input = base64url_encode(boost::json::serialize(header)) + "." +
                                    base64url_encode(boost::json::serialize(payload));
  return signing_input + "." + base64url_encode(key.sign(signing_input));
}

// Shards keep lock contention low when every loop verifies at once; a full shard is emptied
// rather than tracked in LRU order (simple, and bounded).
struct JwtVerifier::Cache {
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Claims> entries;
  };
  explicit Cache(size_t capacity) : per_shard(std::max<size_t>(1, capacity / kShards)) {}
  Shard& shard(std::string_view token) {
    return shards[std::hash<std::string_view>{}(token) % kShards];
  }
  size_t per_shard;
  std::array<Shard, kShards> shards;
};

JwtVerifier::JwtVerifier(VerifierOptions options) : options_(std::move(options)) {
  if (options_.cache_capacity > 0) cache_ = std::make_unique<Cache>(options_.cache_capacity);
}

JwtVerifier::~JwtVerifier() = default;

void JwtVerifier::add_key(std::shared_ptr<const SigningKey> key) {
  std::lock_guard lock(keys_mutex_);
  auto next = std::make_shared<KeyMap>(*keys_);
  const std::string kid = key->kid();
  (*next)[kid] = std::move(key);
  keys_ = std::move(next);
}

void JwtVerifier::replace_keys(const std::vector<std::shared_ptr<const SigningKey>>& keys) {
  auto next = std::make_shared<KeyMap>();
  for (const auto& key : keys) (*next)[key->kid()] = key;
  {
    std::lock_guard lock(keys_mutex_);
    keys_ = std::move(next);
  }
  if (cache_) {
    for (auto& shard : cache_->shards) {
      std::lock_guard lock(shard.mutex);
      shard.entries.clear();
    }
  }
}

std::shared_ptr<const JwtVerifier::KeyMap> JwtVerifier::keys() const {
  std::lock_guard lock(keys_mutex_);
  return keys_;
}

bool JwtVerifier::has_key(const std::string& kid) const {
  return keys()->count(kid) != 0;
}

size_t JwtVerifier::key_count() const {
  return keys()->size();
}

core::Result<Claims, JwtError> JwtVerifier::verify(std::string_view token, TokenType expected,
                                                   int64_t now) const {
  if (!cache_ || token.size() > options_.max_token_bytes)
    return verify_uncached(token, expected, now);
  auto& shard = cache_->shard(token);
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(std::string(token));
    if (it != shard.entries.end()) {
      const Claims& c = it->second;
      const int64_t leeway = options_.leeway.count();
      if (c.type != expected) return refuse("wrong token_type");
      if (now > c.expires_at + leeway) {
        shard.entries.erase(it);
        return refuse("expired");
      }
      if (now + leeway < c.not_before) return refuse("not valid yet");
      return c;
    }
  }
  auto verified = verify_uncached(token, expected, now);
  if (verified) {
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= cache_->per_shard) shard.entries.clear();
    shard.entries.emplace(std::string(token), verified.value());
  }
  return verified;
}

core::Result<boost::json::object, JwtError> JwtVerifier::verified_payload(
    std::string_view token) const {
  auto refused = [](std::string reason) {
    return core::Result<boost::json::object, JwtError>(JwtError{std::move(reason)});
  };
  if (token.size() > options_.max_token_bytes) return refused("token longer than the limit");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return refused("not three dot-separated parts");
  }
  const auto header = json_part(token.substr(0, first));
  if (!header) return refused("malformed header");
  const auto alg = string_claim(*header, "alg");
  const auto* kid = header->if_contains("kid");
  if (!alg) return refused("no alg");
  const auto keys = this->keys();
  std::shared_ptr<const SigningKey> key;
  if (kid != nullptr && kid->is_string()) {
    const auto found = keys->find(std::string_view(kid->get_string()));
    if (found == keys->end()) return JwtError{"unknown kid", true};
    key = found->second;
  } else if (kid == nullptr && *alg == "HS256") {
    // Compatibility: tokens of services that share our HS256 secret may carry no kid.
    for (const auto& [id, candidate] : *keys) {
      if (candidate->is_symmetric()) key = candidate;
    }
    if (!key) return refused("no kid");
  } else {
    return refused("no kid");
  }
  // The allow-list is ours; the key decides the algorithm, so a token cannot pick one.
  if (*alg != jwt_alg(key->algorithm())) return refused("alg does not match the key");

  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) return refused("malformed signature");
  if (!key->verify(token.substr(0, second), *signature)) return refused("bad signature");

  auto payload = json_part(token.substr(first + 1, second - first - 1));
  if (!payload) return refused("malformed payload");
  return std::move(*payload);
}

core::Result<Claims, JwtError> JwtVerifier::verify_uncached(std::string_view token,
                                                            TokenType expected, int64_t now) const {
  auto payload = verified_payload(token);
  if (!payload) return payload.error();
  const auto& p = payload.value();
  Claims c;
  auto sub = string_claim(p, "sub");
  auto iss = string_claim(p, "iss");
  auto aud = string_claim(p, "aud");
  auto jti = string_claim(p, "jti");
  auto type = string_claim(p, "token_type");
  auto iat = numeric_date(p, "iat");
  auto nbf = numeric_date(p, "nbf");
  auto exp = numeric_date(p, "exp");
  if (!sub || !iss || !aud || !jti || !type || !iat || !nbf || !exp)
    return refuse("missing or invalid claims");
  if (*iss != options_.issuer) return refuse("wrong issuer");
  if (*aud != options_.audience) return refuse("wrong audience");
  if (*type != to_string(expected)) return refuse("wrong token_type");
  const int64_t leeway = options_.leeway.count();
  if (now > *exp + leeway) return refuse("expired");
  if (now + leeway < *nbf) return refuse("not valid yet");
  c.subject = std::move(*sub);
  c.issuer = std::move(*iss);
  c.audience = std::move(*aud);
  c.token_id = std::move(*jti);
  c.issued_at = *iat;
  c.not_before = *nbf;
  c.expires_at = *exp;
  c.type = expected;
  if (auto sid = string_claim(p, "sid")) c.session_id = std::move(*sid);
  return c;
}

}  // namespace netra::auth
