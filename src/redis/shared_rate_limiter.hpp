// SharedRateLimiter: core::RateLimiter's fixed windows, counted in Redis so that the instances of
// a cluster share one count per key (login attempts spread over three instances meet one limit).
// The window is Redis's own (a key's PEXPIRE), so the instances' clocks do not matter. Without a
// client, or while Redis cannot be reached, the in-process limiter decides: the limit then holds
// per instance, and no request waits on Redis longer than its command deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/rate_limiter.hpp"

namespace netra::redis {

class RedisClient;

class SharedRateLimiter {
 public:
  using Decision = core::RateLimiter::Decision;

  // `name` keeps the counts of different limits apart ("login-address").
  SharedRateLimiter(std::string name, size_t limit, std::chrono::seconds window,
                    std::weak_ptr<RedisClient> redis = {});

  // Counts one event for `key` and says whether it is within the limit.
  boost::asio::awaitable<Decision> hit(std::string key);
  // Whether `key` is within the limit now, counting nothing.
  boost::asio::awaitable<Decision> check(std::string key);

 private:
  // The shared decision, or nothing when Redis did not give one.
  boost::asio::awaitable<std::optional<Decision>> shared(const std::string& key, bool count);

  std::string prefix_;
  size_t limit_;
  std::chrono::seconds window_;
  std::weak_ptr<RedisClient> redis_;
  bool has_redis_;
  core::RateLimiter local_;
};

}  // namespace netra::redis
