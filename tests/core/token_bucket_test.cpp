#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

namespace netra::core {
namespace {

using namespace std::chrono_literals;
using testing::ManualClock;

TEST(TokenBucket, AllowsABurstThenTheRate) {
  ManualClock clock;
  TokenBucket bucket(10, 40, clock.now());
  EXPECT_TRUE(bucket.take(40, clock.now()).allowed);
  const auto refused = bucket.take(1, clock.now());
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);
  clock.advance(500ms);
  EXPECT_TRUE(bucket.take(5, clock.now()).allowed) << "half a second refills 5";
  EXPECT_FALSE(bucket.take(1, clock.now()).allowed);
}

TEST(TokenBucket, ARefusalTakesNothingAndSaysHowLongToWait) {
  ManualClock clock;
  TokenBucket bucket(1000, 10000, clock.now());
  EXPECT_TRUE(bucket.take(8000, clock.now()).allowed);
  const auto refused = bucket.take(7000, clock.now());
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 5s) << "5,000 more units at 1,000 per second";
  EXPECT_TRUE(bucket.take(2000, clock.now()).allowed) << "the refusal took nothing";
  EXPECT_EQ(bucket.take(20000, clock.now()).retry_after, 60s) << "larger than the burst";
}

TEST(KeyedTokenBuckets, CountsKeysApartAndStaysBounded) {
  ManualClock clock;
  KeyedTokenBuckets buckets(1, 2, 100, clock);
  EXPECT_TRUE(buckets.take("alice", 2).allowed);
  EXPECT_FALSE(buckets.take("alice", 1).allowed);
  EXPECT_TRUE(buckets.take("bob", 2).allowed) << "another key has its own bucket";
  for (int i = 0; i < 1000; ++i) buckets.take("k" + std::to_string(i), 1);
  EXPECT_TRUE(buckets.take("fresh", 2).allowed);
  clock.advance(2s);
  EXPECT_TRUE(buckets.take("alice", 2).allowed);
}

TEST(KeyedTokenBuckets, CheckSaysWhatTakeWouldAndTakesNothing) {
  testing::ManualClock clock;
  KeyedTokenBuckets buckets(10, 100, 1000, clock);
  EXPECT_TRUE(buckets.check("a", 100).allowed) << "a key without a bucket has a full one";
  EXPECT_TRUE(buckets.take("a", 90).allowed);
  const auto over = buckets.check("a", 20);
  EXPECT_FALSE(over.allowed);
  EXPECT_EQ(over.retry_after, std::chrono::seconds(1));
  EXPECT_TRUE(buckets.check("a", 10).allowed);
  EXPECT_TRUE(buckets.take("a", 10).allowed) << "the checks took nothing";
  EXPECT_FALSE(buckets.take("a", 1).allowed);
}

}  // namespace
}  // namespace netra::core
