#include "core/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

namespace netra::core {
namespace {

using namespace std::chrono_literals;

using testing::ManualClock;

BreakerOptions options() {
  BreakerOptions o;
  o.window = 10;
  o.minimum_calls = 4;
  o.failure_rate = 0.5;
  o.open_duration = 1000ms;
  return o;
}

TEST(CircuitBreaker, StaysClosedBelowTheMinimumNumberOfCalls) {
  ManualClock clock;
  CircuitBreaker b("db", options(), clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.allow());
    b.record(false);
  }
  EXPECT_EQ(b.state(), BreakerState::closed);
}

TEST(CircuitBreaker, OpensAtTheFailureRateAndFailsFast) {
  ManualClock clock;
  CircuitBreaker b("db", options(), clock);
  for (bool ok : {true, false, true, false}) {
    ASSERT_TRUE(b.allow());
    b.record(ok);
  }
  EXPECT_EQ(b.state(), BreakerState::open);
  EXPECT_FALSE(b.allow());
  EXPECT_EQ(b.snapshot().times_opened, 1u);
}

TEST(CircuitBreaker, HalfOpensAfterTheOpenDurationAndClosesOnASuccessfulProbe) {
  ManualClock clock;
  CircuitBreaker b("db", options(), clock);
  for (int i = 0; i < 4; ++i) {
    b.allow();
    b.record(false);
  }
  clock.advance(999ms);
  EXPECT_FALSE(b.allow());
  clock.advance(1ms);
  EXPECT_TRUE(b.allow()) << "one probe";
  EXPECT_EQ(b.state(), BreakerState::half_open);
  EXPECT_FALSE(b.allow()) << "only one probe at a time";
  b.record(true);
  EXPECT_EQ(b.state(), BreakerState::closed);
  EXPECT_TRUE(b.allow());
}

TEST(CircuitBreaker, AFailedProbeOpensItAgain) {
  ManualClock clock;
  CircuitBreaker b("db", options(), clock);
  for (int i = 0; i < 4; ++i) {
    b.allow();
    b.record(false);
  }
  clock.advance(1000ms);
  ASSERT_TRUE(b.allow());
  b.record(false);
  EXPECT_EQ(b.state(), BreakerState::open);
  EXPECT_FALSE(b.allow());
  EXPECT_EQ(b.snapshot().times_opened, 2u);
}

TEST(CircuitBreaker, OldOutcomesLeaveTheSlidingWindow) {
  ManualClock clock;
  CircuitBreaker b("db", options(), clock);
  for (int i = 0; i < 4; ++i) {
    b.allow();
    b.record(i % 2 == 0);  // 2 failures of 4: would open...
    if (i == 2) {
      for (int j = 0; j < 10; ++j) {  // ...but ten successes push the first failure out
        b.allow();
        b.record(true);
      }
    }
  }
  EXPECT_EQ(b.state(), BreakerState::closed);
  EXPECT_EQ(b.snapshot().calls, 10u);
}

}  // namespace
}  // namespace netra::core
