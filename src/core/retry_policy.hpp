// RetryPolicy: how often and how patiently an operation is retried, with full-jitter
// exponential backoff: sleep = uniform(0, min(cap, base * 2^n)) after the n-th failure (n from 0).
#pragma once

#include <chrono>
#include <functional>

namespace netra::core {

// Returns a number uniformly distributed in [0, 1). Injectable so tests can pin the jitter.
using RandomSource = std::function<double()>;

// A source seeded from the OS. Not thread-safe: give each user its own.
RandomSource make_random_source();

struct RetryPolicy {
  int attempts = 3;  // total attempts, the first included; at least 1
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{2000};

  // Delay before the next attempt after `failures_so_far` failures (1 after the first failure).
  // `unit` is a draw from a RandomSource; values outside [0, 1) are clamped.
  std::chrono::milliseconds backoff(int failures_so_far, double unit) const;
};

}  // namespace netra::core
