// Deadline: the moment by which an operation must be done, carried from a request down to every
// wait it causes, so that no wait outlives the request that started it.
#pragma once

#include <algorithm>
#include <chrono>

namespace netra::core {

class Deadline {
 public:
  using clock = std::chrono::steady_clock;

  static Deadline after(std::chrono::milliseconds budget) {
    return Deadline(clock::now() + budget);
  }
  static Deadline at(clock::time_point when) { return Deadline(when); }

  clock::time_point when() const { return when_; }
  bool expired() const { return clock::now() >= when_; }
  // Time left, never negative.
  std::chrono::milliseconds remaining() const {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(when_ - clock::now()));
  }
  // The earlier of this deadline and `budget` from now.
  Deadline capped(std::chrono::milliseconds budget) const {
    return Deadline(std::min(when_, clock::now() + budget));
  }

 private:
  explicit Deadline(clock::time_point when) : when_(when) {}
  clock::time_point when_;
};

}  // namespace netra::core
