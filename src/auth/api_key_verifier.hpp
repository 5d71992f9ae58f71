// ApiKeyVerifier: how a request's API key is checked. A key found in the database is remembered
// for kCacheTtl, so a busy key costs a hash and a map lookup, not a database read per request.
// Deleting a key revokes its id in RevokedSessions for longer than that — the same list that ends
// logins, which SharedRevocations carries to every instance through Redis — and a remembered key
// whose id is revoked is refused and forgotten. So a deleted key is refused at once here and,
// with Redis, within moments everywhere; an instance that does not hear of it (no Redis between
// the instances) forgets the key after kCacheTtl and then finds nothing. Each key has its own
// request rate (across the instances with Redis), and its last use is recorded at most once a
// minute per instance, in the background.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/api_key_store.hpp"
#include "auth/revoked_sessions.hpp"
#include "core/clock.hpp"
#include "redis/shared_rate_limiter.hpp"

namespace netra::auth {

class ApiKeyVerifier : public std::enable_shared_from_this<ApiKeyVerifier> {
 public:
  static constexpr std::chrono::seconds kCacheTtl{30};
  static constexpr size_t kMaxCached = 10000;

  // `requests_per_minute` per key; counted in Redis when `redis` is given and reachable.
  // `revoked` (AuthState's) outlives this object.
  ApiKeyVerifier(db::Database& db, RevokedSessions& revoked, size_t requests_per_minute,
                 std::weak_ptr<redis::RedisClient> redis = {},
                 const core::Clock& clock = core::steady_clock());

  struct Verdict {
    enum class Kind { ok, unknown, unavailable, rate_limited } kind = Kind::unknown;
    ApiKey key;                           // for ok (and rate_limited: whose)
    std::string reason;                   // for the log; never the key
    std::chrono::seconds retry_after{0};  // for rate_limited
  };
  asio::awaitable<Verdict> verify(std::string secret);

  ApiKeyStore& store() { return store_; }
  // Deletes the owner's key (false: they have none by that id) and revokes it, here and, through
  // the revocation list, on the other instances.
  asio::awaitable<db::DbResult<bool>> remove(std::string user_id, std::string id,
                                             core::Deadline deadline);

 private:
  struct Cached {
    ApiKey key;
    core::Clock::time_point until;
  };
  // The remembered key of `hash` when it is still fresh and not revoked; forgets it otherwise.
  std::optional<ApiKey> remembered(const std::string& hash);
  void remember(const std::string& hash, const ApiKey& key);
  // Whether this key's last use is due to be written (once a minute), marking it written.
  bool use_due(const std::string& id, int64_t now_ms);
  static asio::awaitable<void> record_use(std::shared_ptr<ApiKeyVerifier> self, std::string id,
                                          int64_t unix_ms);

  ApiKeyStore store_;
  RevokedSessions& revoked_;
  redis::SharedRateLimiter limiter_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;          // key hash → key
  std::unordered_map<std::string, int64_t> last_written_;  // key id → Unix ms
};

}  // namespace netra::auth
