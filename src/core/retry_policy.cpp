#include "core/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace netra::core {

RandomSource make_random_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::chrono::milliseconds RetryPolicy::backoff(int failures_so_far, double unit) const {
  const int exponent = std::clamp(failures_so_far - 1, 0, 62);
  // Computed in double so that base * 2^n cannot overflow before the cap applies.
  const double ceiling = std::min(static_cast<double>(cap.count()),
                                  std::ldexp(static_cast<double>(base.count()), exponent));
  const double jitter = std::clamp(unit, 0.0, std::nextafter(1.0, 0.0));
  return std::chrono::milliseconds(static_cast<long long>(std::floor(ceiling * jitter)));
}

}  // namespace netra::core
