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
  EXPECT_LE(limiter.size(), 100u);
}

// A flood of new keys fills the map: the keys that are being limited keep their counts (before,
// reaching max_keys cleared every counter, so 100,000 junk keys reset everyone's).
TEST(RateLimiter, AFloodOfNewKeysDoesNotResetTheLimitedOnes) {
  ManualClock clock;
  RateLimiter limiter(3, 60s, 1000, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.hit("account:victim").allowed);
  EXPECT_FALSE(limiter.hit("account:victim").allowed);
  for (int i = 0; i < 5000; ++i) limiter.hit("junk" + std::to_string(i));
  EXPECT_FALSE(limiter.hit("account:victim").allowed) << "the flood reset the victim's window";
  EXPECT_LE(limiter.size(), 1000u);
}

TEST(RateLimiter, CheckCountsNothing) {
  ManualClock clock;
  RateLimiter limiter(2, 60s, 1000, clock);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.check("k").allowed);
  EXPECT_TRUE(limiter.hit("k").allowed);
  EXPECT_TRUE(limiter.hit("k").allowed);
  EXPECT_FALSE(limiter.check("k").allowed);
}

}  // namespace
}  // namespace netra::core
