// ApiKeyVerifier: how a request's API key is checked. The key is looked up by its hash in the
// database on every request, so a deleted key is refused at once on every instance sharing the
// database (one indexed read, small beside the requests keys are for: an ingest batch, an agent
// run). Each key has its own request rate (across the instances with Redis), and its last use is
// recorded at most once a minute per instance, in the background, so a busy key does not write
// the database on every request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/api_key_store.hpp"
#include "redis/shared_rate_limiter.hpp"

namespace netra::auth {

class ApiKeyVerifier : public std::enable_shared_from_this<ApiKeyVerifier> {
 public:
  // `requests_per_minute` per key; counted in Redis when `redis` is given and reachable.
  ApiKeyVerifier(db::Database& db, size_t requests_per_minute,
                 std::weak_ptr<redis::RedisClient> redis = {});

  struct Verdict {
    enum class Kind { ok, unknown, unavailable, rate_limited } kind = Kind::unknown;
    ApiKey key;                           // for ok (and rate_limited: whose)
    std::string reason;                   // for the log; never the key
    std::chrono::seconds retry_after{0};  // for rate_limited
  };
  asio::awaitable<Verdict> verify(std::string secret);

  ApiKeyStore& store() { return store_; }
  // After a key is deleted: its last-use bookkeeping goes too.
  void forget(const std::string& id);

 private:
  // Whether this key's last use is due to be written (once a minute), marking it written.
  bool use_due(const std::string& id, int64_t now_ms);
  static asio::awaitable<void> record_use(std::shared_ptr<ApiKeyVerifier> self, std::string id,
                                          int64_t unix_ms);

  ApiKeyStore store_;
  redis::SharedRateLimiter limiter_;
  std::mutex mutex_;
  std::unordered_map<std::string, int64_t> last_written_;  // key id → Unix ms
};

}  // namespace netra::auth
