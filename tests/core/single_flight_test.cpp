// SingleFlight: callers on several event loops that arrive while a run is in flight share it.
#include "core/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "core/event_loops.hpp"

namespace netra::core {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

struct SingleFlightTest : ::testing::Test {
  SingleFlightTest() : loops(2, 10ms) { loops.start(); }
  ~SingleFlightTest() override { loops.stop(1s); }

  // A member coroutine, not a lambda: its parameters live in the coroutine frame.
  asio::awaitable<SingleFlight::Outcome> caller(std::chrono::milliseconds work_time,
                                                std::chrono::milliseconds deadline) {
    std::function<asio::awaitable<void>()> work = [this, work_time] {
      return counted_sleep(work_time);
    };
    co_return co_await flight.run(std::move(work), Deadline::after(deadline));
  }
  asio::awaitable<void> counted_sleep(std::chrono::milliseconds d) {
    runs.fetch_add(1);
    co_await sleep_for(d);
  }
  std::future<SingleFlight::Outcome> call(size_t loop, std::chrono::milliseconds work_time,
                                          std::chrono::milliseconds deadline) {
    return asio::co_spawn(loops.context(loop), caller(work_time, deadline), asio::use_future);
  }

  static asio::awaitable<void> explode() {
    co_await sleep_for(100ms);
    throw std::runtime_error("fetch exploded");
  }
  asio::awaitable<SingleFlight::Outcome> failing_caller() {
    std::function<asio::awaitable<void>()> work = [] { return explode(); };
    co_return co_await flight.run(std::move(work), Deadline::after(2s));
  }

  EventLoops loops;
  SingleFlight flight;
  std::atomic<int> runs{0};
};

TEST_F(SingleFlightTest, CallersDuringARunJoinItFromEveryLoop) {
  auto first = call(0, 150ms, 2s);
  std::this_thread::sleep_for(30ms);  // the first run is in flight
  ASSERT_TRUE(flight.in_flight());
  std::vector<std::future<SingleFlight::Outcome>> joiners;
  for (size_t i = 0; i < 6; ++i) joiners.push_back(call(i % 2, 150ms, 2s));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(first.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(first.get(), SingleFlight::Outcome::ran);
  for (auto& j : joiners) {
    ASSERT_EQ(j.wait_for(2s), std::future_status::ready);
    EXPECT_EQ(j.get(), SingleFlight::Outcome::joined);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms) << "joiners woke when it ended";
  EXPECT_EQ(runs.load(), 1) << "one run for seven callers";
  EXPECT_FALSE(flight.in_flight());
  // After it ends, the next caller runs the work again.
  EXPECT_EQ(call(1, 1ms, 2s).get(), SingleFlight::Outcome::ran);
  EXPECT_EQ(runs.load(), 2);
}

TEST_F(SingleFlightTest, AWaiterGivesUpAtItsDeadline) {
  auto first = call(0, 600ms, 2s);
  std::this_thread::sleep_for(30ms);
  const auto started = std::chrono::steady_clock::now();
  auto impatient = call(1, 600ms, 100ms);
  ASSERT_EQ(impatient.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(impatient.get(), SingleFlight::Outcome::timed_out);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 90ms);
  EXPECT_LT(waited, 400ms);
  EXPECT_EQ(first.get(), SingleFlight::Outcome::ran);
}

TEST_F(SingleFlightTest, AnExceptionReachesTheRunnerAndReleasesTheWaiters) {
  auto runner = asio::co_spawn(loops.context(0), failing_caller(), asio::use_future);
  std::this_thread::sleep_for(30ms);
  auto waiter = call(1, 1ms, 2s);
  EXPECT_THROW(runner.get(), std::runtime_error);
  ASSERT_EQ(waiter.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(waiter.get(), SingleFlight::Outcome::joined);
  EXPECT_FALSE(flight.in_flight());
}

TEST_F(SingleFlightTest, ARunBegunOutsideACoroutineHoldsCallersUntilItEnds) {
  ASSERT_TRUE(flight.begin());
  EXPECT_FALSE(flight.begin()) << "one run at a time";
  auto waiter = call(1, 1ms, 2s);
  EXPECT_EQ(waiter.wait_for(100ms), std::future_status::timeout) << "it waited for the run";
  const auto ended = std::chrono::steady_clock::now();
  flight.end();
  ASSERT_EQ(waiter.wait_for(1s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - ended, 500ms) << "end() woke it";
  EXPECT_EQ(waiter.get(), SingleFlight::Outcome::joined);
  EXPECT_EQ(runs.load(), 0) << "a joiner never runs the work itself";
  EXPECT_FALSE(flight.in_flight());
}

}  // namespace
}  // namespace netra::core
