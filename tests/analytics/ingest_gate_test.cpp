// Ingest admission: a per-user rate with bursts, and a bound on what is being written at once.
#include "analytics/ingest_gate.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

namespace netra::analytics {
namespace {

using namespace std::chrono_literals;

TEST(IngestGate, AUserGetsABurstThenTheRate) {
  testing::ManualClock clock;
  IngestGate gate({1000, 10000, 1'000'000}, clock);
  EXPECT_TRUE(gate.admit("alice", 10000));
  auto refused = gate.admit("alice", 2000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "rate_limited");
  EXPECT_EQ(refused.error().retry_after, 2s);
  EXPECT_TRUE(gate.admit("bob", 10000)) << "users are limited apart";
  clock.advance(2s);
  EXPECT_TRUE(gate.admit("alice", 2000));
}

TEST(IngestGate, TheQueueBoundsWhatIsBeingWrittenAndFreesWithTheTicket) {
  testing::ManualClock clock;
  IngestGate gate({1e9, 1e9, 15000}, clock);
  {
    auto first = gate.admit("alice", 10000);
    ASSERT_TRUE(first);
    EXPECT_EQ(gate.queued(), 10000u);
    auto second = gate.admit("bob", 10000);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "ingest_busy");
    EXPECT_EQ(second.error().retry_after, 1s);
    EXPECT_EQ(gate.queued(), 10000u) << "a refused batch holds no place";
  }
  EXPECT_EQ(gate.queued(), 0u);
  EXPECT_TRUE(gate.admit("bob", 10000));
}

TEST(IngestGate, ABatchTheQueueRefusesSpendsNoRate) {
  testing::ManualClock clock;
  IngestGate gate({1, 10000, 10000}, clock);
  {
    auto held = gate.admit("alice", 10000);
    ASSERT_TRUE(held);
    EXPECT_EQ(gate.admit("bob", 1).error().code, "ingest_busy");
  }
  EXPECT_TRUE(gate.admit("bob", 10000)) << "bob's bucket is still full";
}

TEST(IngestGate, BodiesBeingReadShareTheInstancesBytes) {
  testing::ManualClock clock;
  IngestLimits limits{1e9, 1e9, 1'000'000};
  limits.body_bytes = 3'000'000;
  IngestGate gate(limits, clock);
  {
    auto first = gate.admit_body("alice", 2'000'000);
    ASSERT_TRUE(first);
    auto second = gate.admit_body("bob", 2'000'000);
    ASSERT_FALSE(second) << "two bodies would take 4 MB of a 3 MB share";
    EXPECT_EQ(second.error().code, "ingest_busy");
    EXPECT_TRUE(gate.admit_body("bob", 500'000)) << "a smaller one still fits";
  }
  EXPECT_TRUE(gate.admit_body("bob", 2'000'000)) << "the share comes back with the ticket";
  IngestGate small(limits, clock);
  EXPECT_TRUE(small.admit_body("alice", 5'000'000)) << "one body larger than the share is read";
}

TEST(IngestGate, ALargeBodyIsRefusedFromItsLengthWhenTheRateCouldNotTakeItsEvents) {
  testing::ManualClock clock;
  IngestGate gate({100, 10000, 1'000'000}, clock);
  ASSERT_TRUE(gate.admit("alice", 9000));  // 1,000 events left in the bucket
  // 2 MiB may hold 16,384 events of 128 bytes, more than a batch: 10,000 are needed.
  auto large = gate.admit_body("alice", 2 * 1024 * 1024);
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, "rate_limited");
  EXPECT_EQ(large.error().retry_after, 90s) << "9,000 more events at 100 per second";
  // A body of up to 1 MiB is read and judged on its real count.
  EXPECT_TRUE(gate.admit_body("alice", 1024 * 1024));
  EXPECT_TRUE(gate.admit_body("bob", 2 * 1024 * 1024)) << "bob's bucket is full";
  // Checking took nothing: the 1,000 events left are still there.
  EXPECT_TRUE(gate.admit("alice", 1000));
}

}  // namespace
}  // namespace netra::analytics
