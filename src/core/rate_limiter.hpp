// RateLimiter: at most N events per key per window (a fixed window per key), for login attempts
// per client address and per account, in this process (redis::SharedRateLimiter counts the same
// across the instances, and falls back to this one). Thread-safe, bounded in memory.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace netra::core {

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: until the window ends
  };

  RateLimiter(size_t limit, std::chrono::seconds window, size_t max_keys = 100000,
              const Clock& clock = steady_clock());

  // Counts one event for `key` and says whether it is within the limit.
  Decision hit(const std::string& key);
  // Whether `key` is within the limit now, counting nothing: for a second limit that must not
  // count an attempt a first one refused.
  Decision check(const std::string& key);
  size_t size();  // keys held

 private:
  struct Window {
    Clock::time_point started;
    size_t count = 0;
  };
  Decision decide(Window& w, Clock::time_point now) const;
  // At max_keys: drops finished windows, then — when every key is live (a flood of new keys) —
  // the tenth with the fewest events, so a flood never resets the keys being limited.
  void make_room(Clock::time_point now);

  size_t limit_;
  std::chrono::seconds window_;
  size_t max_keys_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace netra::core
