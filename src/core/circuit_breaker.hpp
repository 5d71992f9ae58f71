// CircuitBreaker: stops calling a dependency that keeps failing (open), lets a probe through after
// a while (half-open), and closes again when the probe succeeds. Failure rate over a sliding
// window of recent calls, with a minimum number of calls before it may open. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace netra::core {

enum class BreakerState { closed, open, half_open };
std::string_view to_string(BreakerState state);

struct BreakerOptions {
  size_t window = 20;         // recent calls considered
  size_t minimum_calls = 5;   // fewer calls never open it
  double failure_rate = 0.5;  // open at or above this share of failures
  std::chrono::milliseconds open_duration{5000};
  size_t half_open_probes = 1;  // calls let through while half-open
};

struct BreakerSnapshot {
  std::string name;
  BreakerState state = BreakerState::closed;
  size_t calls = 0;     // in the window
  size_t failures = 0;  // in the window
  size_t times_opened = 0;
};

class CircuitBreaker {
 public:
  CircuitBreaker(std::string name, BreakerOptions options, const Clock& clock = steady_clock());

  // May a call go ahead now? Open: no, until the open duration has passed, then half-open with a
  // limited number of probes. Every allowed call must be followed by record().
  bool allow();
  void record(bool success);

  BreakerState state() const;
  BreakerSnapshot snapshot() const;

 private:
  void open_locked();

  std::string name_;
  BreakerOptions options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  BreakerState state_ = BreakerState::closed;
  std::deque<bool> window_;  // true = failure
  size_t failures_ = 0;
  Clock::time_point opened_at_{};
  size_t probes_in_flight_ = 0;
  size_t times_opened_ = 0;
};

}  // namespace netra::core
