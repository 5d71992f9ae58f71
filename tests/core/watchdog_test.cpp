#include "core/watchdog.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <map>
#include <mutex>
#include <string>

#include "core/engine_harness.hpp"
#include "core/event_loops.hpp"
#include "core/labelled_executor.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;

struct Collected {
  std::mutex mutex;
  std::vector<core::StallReport> reports;
  void add(const core::StallReport& r) {
    std::lock_guard lock(mutex);
    reports.push_back(r);
  }
  std::vector<core::StallReport> all() {
    std::lock_guard lock(mutex);
    return reports;
  }
};

TEST(Watchdog, ReportsAStalledLoopWithTheLabelOfWhatRanOnIt) {
  core::EventLoops loops(2, 10ms);
  loops.start();
  Collected collected;
  core::Watchdog watchdog(loops.activities(), 100ms,
                          [&](const core::StallReport& r) { collected.add(r); });

  static const char kLabel[] = "route:GET /slow";
  asio::post(core::label_executor(loops.context(1).get_executor(), kLabel),
             [] { std::this_thread::sleep_for(300ms); });
  std::this_thread::sleep_for(450ms);
  watchdog.stop();
  loops.stop(1s);

  auto reports = collected.all();
  ASSERT_EQ(reports.size(), 2u) << "one report when stuck, one when it turned again";
  EXPECT_EQ(reports[0].loop, "loop-1");
  EXPECT_EQ(reports[0].running, kLabel);
  EXPECT_FALSE(reports[0].recovered);
  EXPECT_GE(reports[0].stalled_for, 100ms);
  EXPECT_TRUE(reports[1].recovered);
  EXPECT_GE(reports[1].stalled_for, 200ms);
}

TEST(Watchdog, QuietWhenLoopsTurn) {
  core::EventLoops loops(1, 10ms);
  loops.start();
  Collected collected;
  core::Watchdog watchdog(loops.activities(), 100ms,
                          [&](const core::StallReport& r) { collected.add(r); });
  for (int i = 0; i < 10; ++i) {
    asio::post(loops.context(0), [] { std::this_thread::sleep_for(5ms); });
  }
  std::this_thread::sleep_for(300ms);
  watchdog.stop();
  EXPECT_TRUE(collected.all().empty());
}

TEST(Watchdog, NamesTheComponentWhoseStartBlocksTheLoop) {
  EngineHarness h;
  Collected collected;
  core::Watchdog watchdog(h.loops().activities(), 100ms,
                          [&](const core::StallReport& r) { collected.add(r); });
  h.add(spec("blocker", core::Criticality::low), Script{{Behaviour::block_loop}, 300ms});
  h.start();
  std::this_thread::sleep_for(100ms);
  watchdog.stop();
  auto reports = collected.all();
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports[0].running, "component:blocker");
}

}  // namespace
// The lag observer (netra_event_loop_lag_seconds) sees a handler that blocks a loop as the time
// its heartbeat timer waited, on that loop only; a loop left alone shows next to no lag.
TEST(EventLoopLag, ABlockedLoopsHeartbeatReportsTheBlockAsLag) {
  core::EventLoops loops(2, 10ms);
  std::mutex mutex;
  std::map<std::string, std::chrono::nanoseconds> worst;
  loops.observe_lag([&](const core::LoopActivity& loop, std::chrono::nanoseconds lag) {
    std::lock_guard lock(mutex);
    worst[loop.name()] = std::max(worst[loop.name()], lag);
  });
  loops.start();
  asio::post(loops.context(1), [] { std::this_thread::sleep_for(150ms); });
  std::this_thread::sleep_for(300ms);
  loops.stop(1s);

  std::lock_guard lock(mutex);
  ASSERT_TRUE(worst.contains("loop-0") && worst.contains("loop-1"));
  EXPECT_GE(worst["loop-1"], 130ms) << "the timer due during the block fired when it ended";
  EXPECT_LT(worst["loop-0"], 100ms) << "the other loop was free";
}

}  // namespace netra::testing
