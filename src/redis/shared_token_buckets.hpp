// SharedTokenBuckets: core::KeyedTokenBuckets' rate with bursts, one bucket per key held in Redis,
// so that the instances of a cluster spend one bucket per user (a user's workload events, sent to
// three instances, meet one rate). Refill and take happen in one script on Redis's clock. Without
// a client, or while Redis does not answer, the in-process buckets decide: the rate then holds
// per instance, and no request waits on Redis longer than its command deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/token_bucket.hpp"

namespace netra::redis {

class RedisClient;

class SharedTokenBuckets {
 public:
  // `name` keeps different rates apart ("ingest").
  SharedTokenBuckets(std::string name, double rate_per_second, double burst,
                     std::weak_ptr<RedisClient> redis = {},
                     const core::Clock& clock = core::steady_clock());

  // Counts through `redis` from now on (before the service takes traffic).
  void share_through(std::weak_ptr<RedisClient> redis);

  // Takes `units` from `key`'s bucket if it holds them; takes nothing otherwise.
  boost::asio::awaitable<core::TokenDecision> take(std::string key, double units);

  // What take() would decide now, without asking Redis and taking nothing: from the bucket as
  // Redis last reported it, refilled since (what other instances took since is not seen). For a
  // decision that cannot wait: refusing a large body before it is read.
  core::TokenDecision estimate(const std::string& key, double units);

 private:
  // The shared decision, or nothing when Redis did not give one.
  boost::asio::awaitable<std::optional<core::TokenDecision>> shared(const std::string& key,
                                                                    double units);

  std::string prefix_;
  double rate_;
  double burst_;
  const core::Clock& clock_;
  core::KeyedTokenBuckets local_;
  mutable std::mutex mutex_;
  std::weak_ptr<RedisClient> redis_;
  bool shared_;
  // Each key's bucket as Redis last reported it (tokens, when): what estimate() refills.
  struct Seen {
    double tokens = 0;
    core::Clock::time_point at;
  };
  std::unordered_map<std::string, Seen> seen_;
};

}  // namespace netra::redis
