// TokenBucket: a rate with bursts — up to `burst` units at once, refilled at `rate` per second —
// for limits where one request may cost many units (a batch of events) or one (a socket message).
// KeyedTokenBuckets keeps one bucket per key (a user), thread-safe and bounded in memory.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace netra::core {

struct TokenDecision {
  bool allowed = true;
  // When refused: how long until the bucket holds enough, rounded up to whole seconds (at least
  // 1), as Retry-After wants it. A request larger than the burst never fits: a minute.
  std::chrono::seconds retry_after{0};
};

// What a bucket of `rate` and `burst` holding `tokens` answers a request for `units` (whether it
// fits, and if not how long until it would). Taking is the caller's.
TokenDecision token_decision(double tokens, double units, double rate_per_second, double burst);

// Not thread-safe: one owner (a socket's loop), or a lock around it (KeyedTokenBuckets).
class TokenBucket {
 public:
  // Starts full.
  TokenBucket(double rate_per_second, double burst, Clock::time_point now);

  // Takes `units` if the bucket holds them; takes nothing otherwise.
  TokenDecision take(double units, Clock::time_point now);
  // Whether a bucket left alone since `now` would be full again: it can be forgotten.
  bool full_at(Clock::time_point now) const;

 private:
  void refill(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point refilled_;
};

class KeyedTokenBuckets {
 public:
  KeyedTokenBuckets(double rate_per_second, double burst, size_t max_keys = 100000,
                    const Clock& clock = steady_clock());

  TokenDecision take(const std::string& key, double units);
  // What take() would decide now, taking nothing (a key without a bucket has a full one).
  TokenDecision check(const std::string& key, double units);

 private:
  double rate_;
  double burst_;
  size_t max_keys_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace netra::core
