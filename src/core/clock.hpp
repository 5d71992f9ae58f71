// Clock: where the engine reads the time for its reports. Injectable so tests can pin timings;
// the engine's timers still run on the event loop's steady clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace netra::core {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

// The process-wide steady clock.
const Clock& steady_clock();

// Wall-clock time as Unix milliseconds: what stored rows carry (created_at, updated_at, ...).
int64_t unix_ms_now();
// Wall-clock time as Unix seconds: what JWT claims carry (iat, exp, nbf).
int64_t unix_seconds_now();

// Milliseconds between two time points, as a fraction (reports show sub-millisecond starts).
inline double elapsed_ms(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace netra::core
