// The `clickhouse` component's recurring work as background jobs (tasks/analytics_jobs), with the
// components wired as the service wires them, on SQLite and the test ClickHouse
// (TEST_CLICKHOUSE_URL, in a database of the test's own): at start, clickhouse_retention runs and
// the replay that is due is queued as an outage_replay job, which gives way while another
// instance's outage_replay runs (the buffer moves once across the cluster) and drains it once that
// one ended; with background jobs not running, the component drains the buffer in place.
#include "tasks/analytics_jobs.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <thread>

#include "analytics/analytics_component.hpp"
#include "analytics/detail/clickhouse_http.hpp"
#include "analytics/embedded_store.hpp"
#include "core/clock.hpp"
#include "core/event_loops.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "net/http_client.hpp"
#include "support/migrated_database.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"
#include "tasks/background_tasks_component.hpp"
#include "telemetry/metrics.hpp"

namespace netra::app {
namespace {

using namespace std::chrono_literals;

core::LifecycleContext context() {
  core::LifecycleContext ctx;
  ctx.timeout = 10s;
  return ctx;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

class AnalyticsJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_test_server("TEST_CLICKHOUSE_URL")) {
      GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)";
    }
    loops_.start();
    migrated_.emplace("sqlite", dir_, "netra", offload_, loops_);

    analytics::AnalyticsSettings analytics_settings;
    analytics_settings.clickhouse.url = env("TEST_CLICKHOUSE_URL");
    analytics_settings.clickhouse.user = env("TEST_CLICKHOUSE_USER");
    analytics_settings.clickhouse.password = env("TEST_CLICKHOUSE_PASSWORD");
    database_ = "netra_jobs_" + std::to_string(std::random_device()());
    analytics_settings.clickhouse.database = database_;
    analytics_ = std::make_shared<analytics::AnalyticsComponent>(
        analytics::AnalyticsComponent::make_spec(), analytics_settings, migrated_->db(), offload_,
        health_);
    tasks::TaskSettings task_settings;
    task_settings.poll_interval = 100ms;
    tasks_ = std::make_shared<tasks::BackgroundTasksComponent>(
        tasks::BackgroundTasksComponent::make_spec(), migrated_->db(), "ins_here", task_settings,
        metrics_, health_);
    tasks::add_analytics_jobs(*tasks_, analytics_);
  }
  void TearDown() override {
    if (analytics_) run(analytics_->stop(ctx_));
    if (tasks_ && tasks_->running()) run(tasks_->stop(ctx_));
    if (!database_.empty()) {
      auto client = std::make_shared<net::HttpClient>();
      analytics::detail::ClickHouseHttp raw(
          client, env("TEST_CLICKHOUSE_URL"), env("TEST_CLICKHOUSE_USER"),
          env("TEST_CLICKHOUSE_PASSWORD"), core::BreakerOptions{});
      auto dropped = run(raw.execute("DROP DATABASE IF EXISTS " + database_, "drop", deadline()));
      EXPECT_TRUE(dropped) << dropped.error().message;
      client->close_idle();
    }
    analytics_.reset();
    tasks_.reset();
    migrated_.reset();
    offload_.shutdown(1s);
    loops_.stop(1s);
  }

  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 60s);
  }
  static core::Deadline deadline() { return core::Deadline::after(30s); }

  void start(bool with_tasks) {
    if (with_tasks) {
      ASSERT_TRUE(run(tasks_->start(ctx_)).is_ok());
    }
    auto started = run(analytics_->start(ctx_));
    ASSERT_TRUE(started.is_ok()) << started.message();
  }
  // Five events written while ClickHouse was away.
  void buffer_five() {
    std::vector<analytics::WorkloadEvent> events;
    for (int i = 0; i < 5; ++i) {
      analytics::WorkloadEvent e;
      e.timestamp_ms = core::unix_ms_now() - 1000 - i;
      e.workload_id = "w";
      e.provider = "openai";
      e.model = "gpt-4o";
      e.input_tokens = 10;
      e.output_tokens = 1;
      e.latency_ms = 100;
      e.cost_usd = 0.5;
      events.push_back(e);
    }
    analytics::EmbeddedAnalyticsStore buffer(migrated_->db());
    auto stored = run(buffer.insert("usr_a", std::move(events), deadline()));
    ASSERT_TRUE(stored) << stored.error().message;
  }
  size_t buffered() {
    analytics::EmbeddedAnalyticsStore buffer(migrated_->db());
    auto counted = run(buffer.count_all(deadline()));
    EXPECT_TRUE(counted) << counted.error().message;
    return counted ? counted.value() : 0;
  }
  size_t in_clickhouse() {
    auto events = run(analytics_->store()->events(
        "usr_a", {core::unix_ms_now() - 3'600'000, core::unix_ms_now() + 1000}, 100, deadline()));
    EXPECT_TRUE(events) << events.error().message;
    return events ? events->size() : 0;
  }

  struct Row {
    std::string id, state;
    nlohmann::json result;
  };
  std::vector<Row> jobs_of(const std::string& kind) {
    auto rows =
        run(migrated_->db().query("SELECT id, state, result FROM jobs WHERE kind = $1 ORDER BY id",
                                  db::Params{kind}, deadline()));
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<Row> out;
    if (!rows) return out;
    for (const auto& r : rows->rows) {
      out.push_back({r.text(0), r.text(1),
                     r.is_null(2) ? nlohmann::json() : nlohmann::json::parse(r.text(2))});
    }
    return out;
  }
  // Waits up to 20 s until every job of `kind` but `except` ended, and at least `count` did.
  std::vector<Row> ended(const std::string& kind, size_t count, const std::string& except = "") {
    std::vector<Row> out;
    for (int i = 0; i < 200; ++i) {
      out.clear();
      bool all_ended = true;
      for (auto& row : jobs_of(kind)) {
        if (row.id == except) continue;
        all_ended = all_ended && row.state != "queued" && row.state != "running";
        out.push_back(std::move(row));
      }
      if (all_ended && out.size() >= count) return out;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "jobs of " << kind << " did not end";
    return out;
  }

  testing::TempDir dir_;
  core::EventLoops loops_{2, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{2};
  std::optional<testing::MigratedDatabase> migrated_;
  core::HealthRegistry health_;
  telemetry::Metrics metrics_{"test", "test"};
  core::LifecycleContext ctx_ = context();
  std::string database_;
  std::shared_ptr<analytics::AnalyticsComponent> analytics_;
  std::shared_ptr<tasks::BackgroundTasksComponent> tasks_;
};

TEST_F(AnalyticsJobsTest, TheReplayGivesWayToAnotherInstancesAndDrainsOnceItEnded) {
  buffer_five();
  // Another instance is replaying: its outage_replay job runs under a live lease.
  tasks::NewJob replay;
  replay.kind = "outage_replay";
  auto theirs = run(tasks_->jobs().enqueue(replay, deadline()));
  ASSERT_TRUE(theirs) << theirs.error().message;
  auto claimed = run(tasks_->jobs().claim("ins_other/0", 60s, deadline()));
  ASSERT_TRUE(claimed && claimed->has_value());
  const std::string other_id = theirs->job.id;

  start(/*with_tasks=*/true);
  // The replay due at the start was queued, like the schedule's first one; each gave way (the
  // schedule's may have come before ClickHouse served: skipped for that).
  const auto skipped = ended("outage_replay", 2, other_id);
  size_t gave_way = 0;
  for (const auto& row : skipped) {
    EXPECT_EQ(row.state, "succeeded") << row.id;
    EXPECT_EQ(row.result["skipped"], true) << row.result.dump();
    if (row.result.value("running", "") == other_id) ++gave_way;
  }
  EXPECT_GE(gave_way, 1u) << "the component's replay saw the other instance's";
  EXPECT_EQ(buffered(), 5u) << "nothing moved while the other instance replays";
  const auto retention = ended("clickhouse_retention", 1);
  ASSERT_EQ(retention.size(), 1u);
  EXPECT_EQ(retention[0].state, "succeeded");
  EXPECT_EQ(retention[0].result, nlohmann::json({{"dropped", nlohmann::json::array()}}));

  ASSERT_TRUE(run(tasks_->jobs().succeed(other_id, "ins_other/0", {}, deadline())).value());
  auto ours = run(tasks_->enqueue(replay, deadline()));
  ASSERT_TRUE(ours) << ours.error().message;
  const auto drained = ended("outage_replay", skipped.size() + 2);
  bool moved = false;
  for (const auto& row : drained) {
    if (row.id == ours->job.id) {
      EXPECT_EQ(row.state, "succeeded");
      EXPECT_EQ(row.result, nlohmann::json({{"moved", 5}}));
      moved = true;
    }
  }
  EXPECT_TRUE(moved);
  EXPECT_EQ(buffered(), 0u);
  EXPECT_EQ(in_clickhouse(), 5u);
}

TEST_F(AnalyticsJobsTest, WithoutBackgroundJobsTheComponentDrainsInPlace) {
  buffer_five();
  start(/*with_tasks=*/false);
  for (int i = 0; i < 100 && buffered() > 0; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(buffered(), 0u);
  EXPECT_EQ(in_clickhouse(), 5u);
  EXPECT_TRUE(jobs_of("outage_replay").empty()) << "no job was queued";
}

}  // namespace
}  // namespace netra::app
