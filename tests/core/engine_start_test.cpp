// The engine starts each component the moment its dependencies are up: start-up takes the
// critical path, not the sum of start times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/engine_harness.hpp"

namespace netra::testing {
namespace {

using core::Criticality;
using core::requires_component;
using core::uses_component;
using ::testing::ElementsAre;

Script after(std::chrono::milliseconds delay) {
  return Script{{Behaviour::succeed}, delay};
}

TEST(EngineStart, NoComponentsIsReadyAtOnce) {
  EngineHarness h;
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::ready);
  EXPECT_TRUE(report.components.empty());
}

TEST(EngineStart, DiamondStartsInCriticalPathTime) {
  // a(50) -> {b(300), c(450)} -> d(50). Started together, b and c overlap and start-up takes the
  // critical path a, c, d; one after the other, c would start only once b was ready. The checks
  // compare the intervals the report measured with each other, not with the wall clock, so a
  // loaded machine that stretches every interval cannot fail them and a serial engine cannot pass.
  EngineHarness h;
  h.add(spec("a", Criticality::critical), after(50ms));
  h.add(spec("b", Criticality::critical, {requires_component("a")}), after(300ms));
  h.add(spec("c", Criticality::critical, {requires_component("a")}), after(450ms));
  h.add(spec("d", Criticality::critical, {requires_component("b"), requires_component("c")}),
        after(50ms));
  auto report = h.start();
  ASSERT_EQ(report.outcome, core::StartupOutcome::ready);
  const auto* a = report.find("a");
  const auto* b = report.find("b");
  const auto* c = report.find("c");
  const auto* d = report.find("d");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_GE(report.elapsed_ms, 550);

  // b and c both start once a is ready, each before the other is ready.
  EXPECT_GE(b->started_at_ms, a->ready_at_ms);
  EXPECT_GE(c->started_at_ms, a->ready_at_ms);
  EXPECT_LT(c->started_at_ms, b->ready_at_ms) << "c waited for b: they started one after the other";
  EXPECT_LT(b->started_at_ms, c->ready_at_ms) << "b waited for c: they started one after the other";
  // d starts after both, and its wait (for the later, c) is counted apart from its own start.
  EXPECT_GE(d->started_at_ms, std::max(b->ready_at_ms, c->ready_at_ms));
  EXPECT_GE(d->waited_ms, c->ready_at_ms - 1);
  EXPECT_LT(d->took_ms, d->waited_ms);
  // Start-up took the critical path as measured: nothing between the steps but the engine's own
  // hand-over, which is far below the 300 ms that b would add in series.
  const double critical_path = a->took_ms + c->took_ms + d->took_ms;
  EXPECT_LT(report.elapsed_ms, critical_path + 0.5 * b->took_ms)
      << "start-up took longer than its critical path, as if b and c ran in series";
  std::vector<std::string> chain;
  for (const auto& hop : report.critical_chain) chain.push_back(hop.name);
  EXPECT_THAT(chain, ElementsAre("d", "c", "a"));
}

TEST(EngineStart, WideRandomDagStartsInCriticalPathTime) {
  std::mt19937 random(42);
  const int n = 80;
  std::vector<int> delay(n);
  std::vector<std::vector<int>> deps(n);
  EngineHarness h;
  for (int i = 0; i < n; ++i) {
    delay[i] = 5 + static_cast<int>(random() % 20);
    std::vector<core::Dependency> edges;
    for (int j = 0; j < i; ++j) {
      if (random() % 12 == 0) {
        deps[i].push_back(j);
        edges.push_back(random() % 2 ? requires_component("c" + std::to_string(j))
                                     : uses_component("c" + std::to_string(j)));
      }
    }
    h.add(spec("c" + std::to_string(i), Criticality::high, edges),
          after(std::chrono::milliseconds(delay[i])));
  }
  std::vector<int> finish(n, 0);
  int critical_path = 0;
  long sum = 0;
  for (int i = 0; i < n; ++i) {
    int begin = 0;
    for (int j : deps[i]) begin = std::max(begin, finish[j]);
    finish[i] = begin + delay[i];
    critical_path = std::max(critical_path, finish[i]);
    sum += delay[i];
  }
  auto report = h.start();
  ASSERT_EQ(report.outcome, core::StartupOutcome::ready);
  EXPECT_GE(report.elapsed_ms, critical_path);
  // Far below the sum (several times the critical path), with room for a loaded sanitizer
  // build: a third of the way from the critical path to the sum.
  const long bound = critical_path + std::max<long>(100, (sum - critical_path) / 3);
  EXPECT_LT(report.elapsed_ms, bound) << "critical path " << critical_path << ", sum " << sum;
  EXPECT_GT(sum, 3 * (critical_path + 100));
}

TEST(EngineStart, SoftDependencyOrdersStartButIsNotRequired) {
  EngineHarness h;
  h.add(spec("redis", Criticality::high), Script{{Behaviour::fail}});
  h.add(spec("auth", Criticality::high, {uses_component("redis")}), after(0ms));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::degraded);
  EXPECT_EQ(report.find("redis")->state, core::ComponentState::degraded);
  EXPECT_EQ(report.find("auth")->state, core::ComponentState::ready);
  EXPECT_GE(h.journal().index_of("start auth #1"), h.journal().index_of("start redis #1"));
}

TEST(EngineStart, MinimalProfileStartsOnlyCriticalComponents) {
  core::EngineOptions options;
  options.profile.kind = core::Profile::Kind::minimal;
  EngineHarness h(options);
  h.add(spec("database", Criticality::critical));
  h.add(spec("clickhouse", Criticality::medium));
  h.add(spec("api", Criticality::critical,
             {requires_component("database"), uses_component("clickhouse")}));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::ready);
  EXPECT_EQ(report.find("clickhouse")->state, core::ComponentState::disabled);
  EXPECT_EQ(report.find("api")->state, core::ComponentState::ready);
  EXPECT_EQ(h.journal().index_of("start clickhouse #1"), -1);
}

TEST(EngineStart, DisabledComponentSkipsWhatRequiresIt) {
  core::EngineOptions options;
  options.profile.disabled = {"clickhouse"};
  EngineHarness h(options);
  h.add(spec("clickhouse", Criticality::medium));
  h.add(spec("analytics", Criticality::medium, {requires_component("clickhouse")}));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::degraded);
  EXPECT_EQ(report.find("clickhouse")->state, core::ComponentState::disabled);
  EXPECT_EQ(report.find("analytics")->state, core::ComponentState::skipped);
  EXPECT_EQ(report.find("analytics")->reason, "requires clickhouse, which is disabled");
}

TEST(EngineStart, PrepareReachesEveryEnabledComponentBeforeAnyStarts) {
  // A component's dependency-free work (its key file, say) can overlap its dependencies' starts.
  core::EngineOptions options;
  options.profile.disabled = {"clickhouse"};
  EngineHarness h(options);
  h.add(spec("database", Criticality::critical), after(50ms));
  h.add(spec("auth", Criticality::high, {requires_component("database")}),
        Script{{Behaviour::fail, Behaviour::succeed}}, EngineHarness::fast(2));
  h.add(spec("clickhouse", Criticality::medium));
  auto report = h.start();
  ASSERT_EQ(report.outcome, core::StartupOutcome::ready);
  EXPECT_EQ(report.find("auth")->attempts, 2);
  const auto& journal = h.journal();
  ASSERT_GE(journal.index_of("prepare auth"), 0);
  EXPECT_LT(journal.index_of("prepare auth"), journal.index_of("start database #1"));
  EXPECT_LT(journal.index_of("prepare database"), journal.index_of("start database #1"));
  EXPECT_EQ(journal.index_of("prepare clickhouse"), -1) << "a disabled component was prepared";
  const auto entries = journal.entries();
  EXPECT_EQ(std::count(entries.begin(), entries.end(), "prepare auth"), 1)
      << "prepared again for its second attempt";
}

TEST(EngineStart, StopRunsInReverseDependencyOrder) {
  EngineHarness h;
  h.add(spec("database", Criticality::critical));
  h.add(spec("auth", Criticality::high, {requires_component("database")}));
  h.add(
      spec("api", Criticality::critical, {requires_component("database"), uses_component("auth")}));
  ASSERT_EQ(h.start().outcome, core::StartupOutcome::ready);
  h.stop();
  auto& j = h.journal();
  EXPECT_LT(j.index_of("stop api"), j.index_of("stop auth"));
  EXPECT_LT(j.index_of("stop auth"), j.index_of("stop database"));
  for (const auto& c : h.engine().report().components) {
    EXPECT_EQ(c.state, core::ComponentState::stopped) << c.name;
  }
}

TEST(EngineStart, StuckStopIsAbandonedAfterItsTimeout) {
  EngineHarness h;
  h.add(spec("database", Criticality::critical));
  Script stuck;
  stuck.stop_behaviour = Behaviour::hang_ignoring_cancel;
  auto settings = EngineHarness::fast();
  settings.stop_timeout = 100ms;
  h.add(spec("api", Criticality::critical, {requires_component("database")}), stuck, settings);
  ASSERT_EQ(h.start().outcome, core::StartupOutcome::ready);
  const auto began = std::chrono::steady_clock::now();
  h.stop();
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_LT(took, 600ms);
  EXPECT_GE(h.journal().index_of("stop database"), 0) << "database must still be stopped";
  EXPECT_EQ(h.engine().report().find("api")->error, "stop: timed out after 100 ms (stop)");
}

TEST(EngineStart, EveryEventNamesItsComponent) {
  EngineHarness h;
  h.add(spec("database", Criticality::critical));
  h.start();
  auto events = h.events();
  ASSERT_FALSE(events.empty());
  for (const auto& e : events) EXPECT_EQ(e.component, "database");
  EXPECT_EQ(events.front().message, "starting (attempt 1 of 1)");
}

}  // namespace
}  // namespace netra::testing
