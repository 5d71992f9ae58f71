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

}  // namespace
}  // namespace netra::analytics
