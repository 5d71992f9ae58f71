#include "core/retry_policy.hpp"

#include <gtest/gtest.h>

namespace netra::core {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, FullJitterIsUniformBelowTheExponentialCeiling) {
  RetryPolicy p{5, milliseconds(100), milliseconds(1000)};
  // ceiling = min(cap, base * 2^(failures-1))
  EXPECT_EQ(p.backoff(1, 0.5), milliseconds(50));    // 0.5 * 100
  EXPECT_EQ(p.backoff(2, 0.5), milliseconds(100));   // 0.5 * 200
  EXPECT_EQ(p.backoff(3, 0.25), milliseconds(100));  // 0.25 * 400
  EXPECT_EQ(p.backoff(5, 0.5), milliseconds(500));   // 0.5 * min(1000, 1600)
  EXPECT_EQ(p.backoff(1, 0.0), milliseconds(0));
}

TEST(RetryPolicy, NeverExceedsTheCapEvenForHugeAttemptCounts) {
  RetryPolicy p{5, milliseconds(100), milliseconds(1000)};
  EXPECT_EQ(p.backoff(1000, 0.999), milliseconds(999));
  EXPECT_LT(p.backoff(1000, 1.0), milliseconds(1000));  // clamped below 1
}

TEST(RetryPolicy, DefaultRandomSourceStaysInUnitInterval) {
  auto random = make_random_source();
  for (int i = 0; i < 1000; ++i) {
    const double x = random();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
}

}  // namespace
}  // namespace netra::core
