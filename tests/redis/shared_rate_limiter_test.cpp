// SharedRateLimiter against a real Redis of the test's own: two instances' limiters meet one
// count per key, looking counts nothing, the wait is Redis's window; without Redis, and while it
// is frozen, each instance counts for itself within the command deadline.
#include "redis/shared_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "redis/scratch_redis_test.hpp"

namespace netra::redis {
namespace {

using namespace std::chrono;

class SharedRateLimiterTest : public ScratchRedisTest {
 protected:
  SharedRateLimiterTest() { connect(); }
  bool allowed(SharedRateLimiter& limiter, const std::string& key) {
    return run(limiter.hit(key)).allowed;
  }
};

TEST_F(SharedRateLimiterTest, TwoInstancesMeetOneLimitPerKey) {
  SharedRateLimiter on_a("login", 4, seconds(60), client_);
  SharedRateLimiter on_b("login", 4, seconds(60), client_);
  EXPECT_TRUE(allowed(on_a, "203.0.113.7"));
  EXPECT_TRUE(allowed(on_b, "203.0.113.7"));
  EXPECT_TRUE(allowed(on_a, "203.0.113.7"));
  EXPECT_TRUE(run(on_b.check("203.0.113.7")).allowed) << "three of four: one more may come";
  EXPECT_TRUE(allowed(on_b, "203.0.113.7"));
  EXPECT_FALSE(run(on_a.check("203.0.113.7")).allowed) << "looking counts nothing";
  const auto refused = run(on_a.hit("203.0.113.7"));
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retry_after, seconds(59));
  EXPECT_LE(refused.retry_after, seconds(60));
  EXPECT_TRUE(allowed(on_b, "198.51.100.1")) << "another key has its own count";
  SharedRateLimiter other_limit("register", 4, seconds(60), client_);
  EXPECT_TRUE(allowed(other_limit, "203.0.113.7")) << "another limit has its own counts";
}

TEST_F(SharedRateLimiterTest, TheWindowIsRedisesAndEndsForEveryInstance) {
  SharedRateLimiter on_a("refresh", 1, seconds(1), client_);
  SharedRateLimiter on_b("refresh", 1, seconds(1), client_);
  EXPECT_TRUE(allowed(on_a, "k"));
  EXPECT_FALSE(allowed(on_b, "k"));
  std::this_thread::sleep_for(milliseconds(1100));
  EXPECT_TRUE(allowed(on_b, "k"));
}

TEST_F(SharedRateLimiterTest, WithoutRedisOrWhileItIsFrozenEachInstanceCountsForItself) {
  SharedRateLimiter alone("login", 2, seconds(60));
  EXPECT_TRUE(allowed(alone, "x"));
  EXPECT_TRUE(allowed(alone, "x"));
  EXPECT_FALSE(allowed(alone, "x"));

  SharedRateLimiter on_a("login", 2, seconds(60), client_);
  SharedRateLimiter on_b("login", 2, seconds(60), client_);
  redis_->freeze();
  const auto started = steady_clock::now();
  EXPECT_TRUE(allowed(on_a, "y"));
  EXPECT_TRUE(allowed(on_b, "y"));
  EXPECT_TRUE(allowed(on_b, "y")) << "B counts for itself while Redis is away";
  EXPECT_FALSE(allowed(on_b, "y"));
  EXPECT_LT(steady_clock::now() - started, milliseconds(1500)) << "a decision waited on Redis";
  redis_->thaw();
}

}  // namespace
}  // namespace netra::redis
