#include "core/watchdog.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <mutex>

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
}  // namespace netra::testing
