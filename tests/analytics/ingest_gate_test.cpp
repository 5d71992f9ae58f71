// Ingest admission on one instance: a bound on the events being written and on the bytes being
// read at once, and which bodies are large enough to be judged on their length. (The per-user
// rate is redis::SharedTokenBuckets': tests/redis/shared_token_buckets_test.cpp.)
#include "analytics/ingest_gate.hpp"

#include <gtest/gtest.h>

#include "analytics/workload_event.hpp"

namespace netra::analytics {
namespace {

using namespace std::chrono_literals;

TEST(IngestGate, TheQueueBoundsWhatIsBeingWrittenAndFreesWithTheTicket) {
  IngestGate gate({1e9, 1e9, 15000});
  {
    auto first = gate.admit(10000);
    ASSERT_TRUE(first);
    EXPECT_EQ(gate.queued(), 10000u);
    auto second = gate.admit(10000);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "ingest_busy");
    EXPECT_EQ(second.error().retry_after, 1s);
    EXPECT_EQ(gate.queued(), 10000u) << "a refused batch holds no place";
  }
  EXPECT_EQ(gate.queued(), 0u);
  EXPECT_TRUE(gate.admit(10000));
}

TEST(IngestGate, BodiesBeingReadShareTheInstancesBytes) {
  IngestLimits limits{1e9, 1e9, 1'000'000};
  limits.body_bytes = 3'000'000;
  IngestGate gate(limits);
  {
    auto first = gate.admit_body(2'000'000);
    ASSERT_TRUE(first);
    auto second = gate.admit_body(2'000'000);
    ASSERT_FALSE(second) << "two bodies would take 4 MB of a 3 MB share";
    EXPECT_EQ(second.error().code, "ingest_busy");
    EXPECT_TRUE(gate.admit_body(500'000)) << "a smaller one still fits";
  }
  EXPECT_TRUE(gate.admit_body(2'000'000)) << "the share comes back with the ticket";
  IngestGate small(limits);
  EXPECT_TRUE(small.admit_body(5'000'000)) << "one body larger than the share is read";
}

TEST(IngestGate, OnlyALargeBodyIsJudgedOnTheEventsItsLengthMayHold) {
  EXPECT_EQ(IngestGate::events_to_check(1024 * 1024), std::nullopt)
      << "up to 1 MiB a body is read and judged on its real count";
  // 1 MiB + 128 bytes may hold 8,193 events of 128 bytes.
  EXPECT_EQ(IngestGate::events_to_check(1024 * 1024 + 128), 8193u);
  EXPECT_EQ(IngestGate::events_to_check(2 * 1024 * 1024), kMaxBatchEvents) << "at most a batch";
}

TEST(IngestGate, ARateRefusalNamesTheRateAndTheWait) {
  IngestGate gate({100, 10000, 1'000'000});
  const auto refusal = gate.over_rate({false, 90s});
  EXPECT_EQ(refusal.code, "rate_limited");
  EXPECT_EQ(refusal.retry_after, 90s);
  EXPECT_NE(refusal.message.find("100 events per second"), std::string::npos) << refusal.message;
}

}  // namespace
}  // namespace netra::analytics
