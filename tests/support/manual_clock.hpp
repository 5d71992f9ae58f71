// ManualClock: a core::Clock that moves only when a test says so (test fixture only).
#pragma once

#include <chrono>

#include "core/clock.hpp"

namespace netra::testing {

class ManualClock final : public core::Clock {
 public:
  time_point now() const override { return now_; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  time_point now_{std::chrono::seconds(1000)};
};

}  // namespace netra::testing
