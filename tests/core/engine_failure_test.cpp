// What the engine does when components fail, hang or overrun: timeouts that abandon, retries with
// exact backoff, the critical failure policy, degraded → skipped → healed, and the deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/engine_harness.hpp"

namespace netra::testing {
namespace {

using core::ComponentState;
using core::Criticality;
using core::requires_component;
using core::uses_component;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

core::ComponentSettings with_timeout(std::chrono::milliseconds timeout, int attempts = 1) {
  auto s = EngineHarness::fast(attempts);
  s.start_timeout = timeout;
  return s;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

class EngineTimeout : public ::testing::TestWithParam<Behaviour> {};

// A start that never finishes is reported at its timeout, whether it awaits forever, ignores
// cancellation, or sits in a blocking call that never returns. The bounds are relative to the
// timeout (the hang itself never ends, so waiting for it would never report at all), not a few
// milliseconds that a loaded sanitizer build on two cores cannot promise.
TEST_P(EngineTimeout, OverrunningStartIsAbandonedAndReportedOnTime) {
  EngineHarness h;
  h.add(spec("clickhouse", Criticality::medium), Script{{GetParam()}}, with_timeout(150ms));
  const auto began = Clock::now();
  auto report = h.start();
  const double took = ms_since(began);
  EXPECT_EQ(report.outcome, core::StartupOutcome::degraded);
  const auto* c = report.find("clickhouse");
  EXPECT_EQ(c->state, ComponentState::degraded);
  EXPECT_EQ(c->error, "timed out after 150 ms (attempt 1 of 1)");
  ASSERT_EQ(c->history.size(), 1u);
  EXPECT_EQ(c->history[0].outcome, "timed out");
  EXPECT_GE(took, 150);
  EXPECT_LT(took, 2 * 150) << "reported well after its timeout";
  std::printf("reported after %.1f ms (timeout 150 ms)\n", took);

  // Shutdown does not wait on the abandoned attempt either.
  const auto stop_began = Clock::now();
  h.stop();
  EXPECT_LT(ms_since(stop_began), 150) << "shutdown waited on the abandoned attempt";
}

INSTANTIATE_TEST_SUITE_P(Hangs, EngineTimeout,
                         ::testing::Values(Behaviour::hang, Behaviour::hang_ignoring_cancel,
                                           Behaviour::block_in_offload));

TEST(EngineFailure, BlockedOffloadCallDoesNotHoldUpPoolShutdown) {
  EngineHarness h;
  h.add(spec("sqlite", Criticality::medium), Script{{Behaviour::block_in_offload}},
        with_timeout(100ms));
  h.start();
  h.stop();
  const auto began = Clock::now();
  // One stuck call per attempt that ran (a background retry may have begun before stop()).
  EXPECT_GE(h.offload().shutdown(50ms), 1u) << "the stuck threads are detached, not joined";
  EXPECT_LT(ms_since(began), 50 + 500) << "shutdown waited past its grace";
}

TEST(EngineFailure, LateCompletionOfAnAbandonedAttemptIsIgnored) {
  EngineHarness h;
  h.add(spec("slow", Criticality::low), Script{{Behaviour::succeed_late_ignoring_cancel}, 300ms},
        with_timeout(100ms));
  auto report = h.start();
  EXPECT_EQ(report.find("slow")->state, ComponentState::degraded);
  std::this_thread::sleep_for(350ms);
  bool saw_late = false;
  for (const auto& e : h.events()) {
    if (e.message.find("abandoned start attempt 1 finished") != std::string::npos) saw_late = true;
  }
  EXPECT_TRUE(saw_late);
}

TEST(EngineFailure, RetriesWithExactlyTheInjectedBackoff) {
  core::EngineOptions options;
  std::vector<double> draws{0.5, 0.25};
  size_t next = 0;
  options.random = [&] { return draws[next++ % draws.size()]; };
  EngineHarness h(options);
  core::ComponentSettings settings = EngineHarness::fast(3);
  settings.retry.base = 80ms;
  settings.retry.cap = 1000ms;
  h.add(spec("redis", Criticality::high),
        Script{{Behaviour::fail, Behaviour::fail, Behaviour::succeed}}, settings);
  const auto began = Clock::now();
  auto report = h.start();
  const auto* c = report.find("redis");
  ASSERT_EQ(c->state, ComponentState::ready);
  ASSERT_EQ(c->attempts, 3);
  ASSERT_EQ(c->history.size(), 3u);
  EXPECT_EQ(c->history[0].backoff_ms, 40);  // floor(0.5 * min(1000, 80 * 2^0))
  EXPECT_EQ(c->history[1].backoff_ms, 40);  // floor(0.25 * min(1000, 80 * 2^1))
  EXPECT_EQ(c->history[2].backoff_ms, -1);
  EXPECT_GE(ms_since(began), 80);
}

TEST(EngineFailure, CriticalFailureStopsWhatStartedInReverseOrderAndNamesTheCulprit) {
  EngineHarness h;
  h.add(spec("database", Criticality::critical));
  h.add(spec("cache", Criticality::high, {requires_component("database")}));
  h.add(spec("auth", Criticality::critical, {requires_component("database")}),
        Script{{Behaviour::fail}, 30ms}, EngineHarness::fast(2));
  h.add(spec("api", Criticality::critical, {requires_component("auth")}));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::failed);
  EXPECT_THAT(report.failure, HasSubstr("critical component 'auth' failed after 2 attempt(s)"));
  EXPECT_THAT(report.failure, HasSubstr("auth scripted failure in start"));
  EXPECT_EQ(report.find("auth")->state, ComponentState::failed);
  EXPECT_EQ(report.find("api")->state, ComponentState::skipped);
  EXPECT_EQ(report.find("database")->state, ComponentState::stopped);
  EXPECT_EQ(report.find("cache")->state, ComponentState::stopped);
  auto& j = h.journal();
  EXPECT_LT(j.index_of("stop cache"), j.index_of("stop database"));
  EXPECT_EQ(j.index_of("start api #1"), -1);
}

TEST(EngineFailure, DegradedSkipsDependentsThenHealsThemInTheBackground) {
  core::EngineOptions options;
  options.random = [] { return 0.5; };
  EngineHarness h(options);
  // redis fails its only start-up attempt, then recovers on the first background retry, which
  // comes 100 ms later (0.5 * 200 ms), well after start-up has finished.
  auto slow_retry = EngineHarness::fast(1);
  slow_retry.retry.base = slow_retry.retry.cap = 200ms;
  h.add(spec("redis", Criticality::high), Script{{Behaviour::fail, Behaviour::succeed}},
        slow_retry);
  h.add(spec("pubsub", Criticality::medium, {requires_component("redis")}));
  h.add(spec("api", Criticality::critical, {uses_component("redis")}));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::degraded);
  EXPECT_EQ(report.find("redis")->state, ComponentState::degraded);
  EXPECT_EQ(report.find("pubsub")->state, ComponentState::skipped);
  EXPECT_EQ(report.find("pubsub")->reason, "requires redis, which is degraded");
  EXPECT_EQ(report.find("api")->state, ComponentState::ready);

  // The background retry heals redis and then starts pubsub.
  const auto deadline = Clock::now() + 2s;
  while (Clock::now() < deadline &&
         h.engine().report().find("pubsub")->state != ComponentState::ready) {
    std::this_thread::sleep_for(5ms);
  }
  auto healed = h.engine().report();
  EXPECT_EQ(healed.find("redis")->state, ComponentState::ready);
  EXPECT_EQ(healed.find("redis")->outcome, "recovered");
  EXPECT_EQ(healed.find("pubsub")->state, ComponentState::ready);
  EXPECT_GE(h.journal().index_of("start pubsub #1"), 0);
}

TEST(EngineFailure, GlobalDeadlineFailsAPendingCriticalComponentByName) {
  core::EngineOptions options;
  options.startup_deadline = 200ms;
  EngineHarness h(options);
  h.add(spec("database", Criticality::critical), Script{{Behaviour::hang}}, with_timeout(5000ms));
  h.add(spec("api", Criticality::critical, {requires_component("database")}));
  const auto began = Clock::now();
  auto report = h.start();
  EXPECT_GE(ms_since(began), 200);
  EXPECT_LT(ms_since(began), 2500) << "the component's 5 s timeout ended it, not the deadline";
  EXPECT_EQ(report.outcome, core::StartupOutcome::failed);
  EXPECT_THAT(report.failure, HasSubstr("start-up deadline of 200 ms passed"));
  EXPECT_THAT(report.failure, HasSubstr("database (starting, attempt 1 of 1)"));
  EXPECT_THAT(report.failure, HasSubstr("api (waiting)"));
  EXPECT_EQ(report.find("database")->state, ComponentState::failed);
}

TEST(EngineFailure, GlobalDeadlineDegradesPendingNonCriticalComponents) {
  core::EngineOptions options;
  options.startup_deadline = 150ms;
  EngineHarness h(options);
  h.add(spec("database", Criticality::critical));
  h.add(spec("clickhouse", Criticality::medium), Script{{Behaviour::hang}}, with_timeout(5000ms));
  auto report = h.start();
  EXPECT_EQ(report.outcome, core::StartupOutcome::degraded);
  ASSERT_EQ(report.pending_at_deadline.size(), 1u);
  EXPECT_EQ(report.pending_at_deadline[0], "clickhouse (starting, attempt 1 of 1)");
  EXPECT_EQ(report.find("clickhouse")->state, ComponentState::degraded);
  EXPECT_EQ(report.find("database")->state, ComponentState::ready);
}

TEST(EngineFailure, StopDuringStartUpCancelsIt) {
  EngineHarness h;
  h.add(spec("database", Criticality::critical), Script{{Behaviour::hang}}, with_timeout(5000ms));
  auto future = asio::co_spawn(h.loops().context(0), h.engine().start(), asio::use_future);
  std::this_thread::sleep_for(50ms);
  h.stop();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  auto report = future.get();
  EXPECT_EQ(report.outcome, core::StartupOutcome::failed);
  EXPECT_EQ(report.failure, "start-up interrupted by shutdown");
}

TEST(EngineFailure, ExceptionFromStartBecomesTheAttemptsError) {
  class Throwing final : public core::Component {
   public:
    Throwing() : core::Component({"thrower", Criticality::low, {}}) {}
    asio::awaitable<core::Status> start(core::LifecycleContext&) override {
      throw std::runtime_error("boom");
      co_return core::Status::ok();
    }
    asio::awaitable<core::Status> stop(core::LifecycleContext&) override {
      co_return core::Status::ok();
    }
  };
  EngineHarness h;
  h.engine().add(std::make_shared<Throwing>(), EngineHarness::fast());
  auto report = h.start();
  EXPECT_EQ(report.find("thrower")->error, "boom");
}

}  // namespace
}  // namespace netra::testing
