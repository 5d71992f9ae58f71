#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

namespace netra::core {
namespace {

using namespace std::chrono_literals;

using testing::ManualClock;

TEST(RateLimiter, AllowsTheLimitPerKeyThenRefusesUntilTheWindowEnds) {
  ManualClock clock;
  RateLimiter limiter(3, 60s, 1000, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.hit("ip:1.2.3.4").allowed);
  auto refused = limiter.hit("ip:1.2.3.4");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 60s);
  EXPECT_TRUE(limiter.hit("ip:5.6.7.8").allowed) << "keys are counted apart";
  clock.advance(45s);
  EXPECT_EQ(limiter.hit("ip:1.2.3.4").retry_after, 15s);
  clock.advance(15s);
  EXPECT_TRUE(limiter.hit("ip:1.2.3.4").allowed) << "a new window";
}

TEST(RateLimiter, StaysBoundedInMemory) {
  ManualClock clock;
  RateLimiter limiter(1, 60s, 100, clock);
  for (int i = 0; i < 1000; ++i) limiter.hit("k" + std::to_string(i));
  EXPECT_TRUE(limiter.hit("fresh").allowed);
}

}  // namespace
}  // namespace netra::core
