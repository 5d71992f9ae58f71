// SharedTokenBuckets: without Redis, one instance's buckets (a burst, then the rate; looking takes
// nothing); against a real Redis of the test's own, two instances spend one bucket per key, the
// refill is Redis's, an estimate follows what Redis last said, and a frozen Redis costs no more
// than the command deadline (each instance then counts for itself).
#include "redis/shared_token_buckets.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "redis/scratch_redis_test.hpp"
#include "support/manual_clock.hpp"

namespace netra::redis {
namespace {

using namespace std::chrono;

class SharedTokenBucketsTest : public ScratchRedisTest {
 protected:
  core::TokenDecision take(SharedTokenBuckets& buckets, const std::string& key, double units) {
    return run(buckets.take(key, units));
  }
};

TEST_F(SharedTokenBucketsTest, AloneAUserGetsABurstThenTheRate) {
  testing::ManualClock clock;
  SharedTokenBuckets buckets("ingest", 1000, 10000, {}, clock);
  EXPECT_TRUE(take(buckets, "alice", 10000).allowed);
  const auto refused = take(buckets, "alice", 2000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(2));
  EXPECT_TRUE(take(buckets, "bob", 10000).allowed) << "users are limited apart";
  EXPECT_FALSE(buckets.estimate("alice", 1).allowed);
  clock.advance(seconds(2));
  EXPECT_TRUE(buckets.estimate("alice", 2000).allowed);
  EXPECT_TRUE(take(buckets, "alice", 2000).allowed) << "estimating took nothing";
  EXPECT_EQ(take(buckets, "alice", 20000).retry_after, seconds(60)) << "more than a burst: never";
}

TEST_F(SharedTokenBucketsTest, TwoInstancesSpendOneBucketPerKey) {
  connect();
  SharedTokenBuckets on_a("ingest", 100, 10000, client_);
  SharedTokenBuckets on_b("ingest", 100, 10000, client_);
  EXPECT_TRUE(take(on_a, "alice", 6000).allowed);
  const auto refused = take(on_b, "alice", 6000);
  EXPECT_FALSE(refused.allowed) << "B sees what A took";
  EXPECT_GE(refused.retry_after, seconds(20));
  EXPECT_LE(refused.retry_after, seconds(21)) << "2,000 more events at 100 per second";
  EXPECT_TRUE(take(on_b, "alice", 3900).allowed);
  EXPECT_TRUE(take(on_b, "bob", 10000).allowed) << "another key has its own bucket";
  SharedTokenBuckets other("socket", 100, 10000, client_);
  EXPECT_TRUE(take(other, "alice", 10000).allowed) << "another name has its own buckets";

  // An estimate starts from what Redis last said here: B saw ~100 left, A saw 4,000.
  EXPECT_FALSE(on_b.estimate("alice", 2000).allowed);
  EXPECT_TRUE(on_a.estimate("alice", 2000).allowed) << "A has not seen B's take";
  EXPECT_TRUE(on_a.estimate("carol", 10000).allowed) << "a key never seen: a full bucket";

  std::this_thread::sleep_for(milliseconds(1100));  // Redis refills ~110 meanwhile
  EXPECT_TRUE(take(on_a, "alice", 150).allowed);
}

TEST_F(SharedTokenBucketsTest, WhileRedisIsFrozenEachInstanceCountsForItself) {
  connect();
  SharedTokenBuckets on_a("ingest", 1, 100, client_);
  SharedTokenBuckets on_b("ingest", 1, 100, client_);
  EXPECT_TRUE(take(on_a, "alice", 100).allowed);
  redis_->freeze();
  const auto started = steady_clock::now();
  EXPECT_TRUE(take(on_b, "alice", 100).allowed) << "B's own bucket is full";
  EXPECT_FALSE(take(on_b, "alice", 1).allowed);
  EXPECT_LT(steady_clock::now() - started, milliseconds(1500)) << "a decision waited on Redis";
  redis_->thaw();
}

}  // namespace
}  // namespace netra::redis
