// `netra serve` with the `background_tasks` component: it is ready with the database, its
// schedules (refresh_token_cleanup, run_step_cleanup) queue a job each at start that a worker runs
// to success, /metrics shows the queue, /health shows it as the component's 5 s upkeep last read
// it, and SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/child_process.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::string kAdmin = "tasks-process-test-admin-token-0123456789";

std::string metrics_of(NetraServer& server) {
  auto answer = server.call("GET", "/metrics");
  return answer ? answer->body : "";
}

// Polls /metrics until it holds `line` or 15 s passed.
bool metrics_show(NetraServer& server, const std::string& line) {
  for (int i = 0; i < 150; ++i) {
    if (metrics_of(server).find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(BackgroundTasksProcess, TheCleanupScheduleRunsAJobAtStartAndMetricsShowTheQueue) {
  NetraServer server({"tasks.poll_interval_ms=100"}, {{"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  auto health = server.expect(200, "GET", "/health", kAdmin);
  nlohmann::json tasks;
  for (const auto& c : health["components"]) {
    if (c["name"] == "background_tasks") tasks = c;
  }
  ASSERT_FALSE(tasks.is_null()) << health.dump();
  EXPECT_EQ(tasks["state"], "ready");
  EXPECT_TRUE(metrics_show(
      server, "netra_jobs_total{kind=\"refresh_token_cleanup\",outcome=\"succeeded\"} 1\n"))
      << metrics_of(server);
  EXPECT_TRUE(
      metrics_show(server, "netra_jobs{kind=\"refresh_token_cleanup\",state=\"succeeded\"} 1\n"))
      << metrics_of(server);
  EXPECT_THAT(metrics_of(server),
              HasSubstr("netra_job_run_seconds_count{kind=\"refresh_token_cleanup\"} 1\n"));
  EXPECT_THAT(metrics_of(server), HasSubstr("netra_jobs_oldest_waiting_seconds 0\n"));
  const auto log = server.process().output();
  EXPECT_THAT(log, HasSubstr("schedule refresh_token_cleanup: queued job job_"));
  EXPECT_THAT(log, HasSubstr("(refresh_token_cleanup) succeeded"));
  EXPECT_TRUE(
      metrics_show(server, "netra_jobs_total{kind=\"run_step_cleanup\",outcome=\"succeeded\"} 1\n"))
      << metrics_of(server);
  EXPECT_THAT(server.process().output(), HasSubstr("schedule run_step_cleanup: queued job job_"));
  EXPECT_TRUE(metrics_show(
      server, "netra_jobs_total{kind=\"finished_job_cleanup\",outcome=\"succeeded\"} 1\n"))
      << metrics_of(server);
}

// The background_tasks entry of /health, or null.
nlohmann::json tasks_entry(NetraServer& server) {
  auto health = server.expect(200, "GET", "/health", "");
  for (const auto& c : health["components"]) {
    if (c["name"] == "background_tasks") return c;
  }
  return nullptr;
}

TEST(BackgroundTasksProcess, HealthShowsTheQueueAsTheUpkeepLastReadIt) {
  TempDir data;
  const auto db = data.file("jobs.db");
  NetraServer server({"tasks.poll_interval_ms=100"}, {{"NETRA_DATABASE_URL", "sqlite:" + db}});
  // The schedules' first jobs ran; the queue is empty, and every request may see that.
  nlohmann::json queue;
  for (int i = 0; i < 150; ++i) {
    queue = tasks_entry(server)["details"]["queue"];
    // The upkeep reads the counts and the oldest waiting job in separate statements, so one
    // reading can catch a job between them: wait for a reading where all three have settled.
    if (queue.is_object() && queue["queued"] == 0 && queue["running"] == 0 &&
        queue["oldest_waiting_seconds"] == 0) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(queue.is_object()) << tasks_entry(server).dump();
  EXPECT_EQ(queue["queued"], 0);
  EXPECT_EQ(queue["dead"], 0);
  EXPECT_EQ(queue["oldest_waiting_seconds"], 0);
  EXPECT_LE(queue["read_seconds_ago"].get<double>(), 6.0);

  // A job that died, and one waiting for a minute that no worker may take (no attempt allowed).
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string waiting_since = std::to_string(now_ms - 60'000);
  const std::string insert =
      "INSERT INTO jobs (id, kind, user_id, payload, state, attempts, max_attempts, run_at, "
      "progress, cancel_requested, created_at, updated_at) VALUES "
      "('job_dead', 'test', NULL, '{}', 'dead', 1, 1, 0, 0, 0, 0, 0), "
      "('job_waiting', 'test', NULL, '{}', 'queued', 0, 0, " +
      waiting_since + ", 0, 0, " + waiting_since + ", " + waiting_since + ")";
  auto inserted = run_process({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", db, insert});
  ASSERT_EQ(inserted.exit_code, 0) << inserted.output;
  // Within an upkeep (5 s) /health shows them.
  for (int i = 0; i < 100; ++i) {
    queue = tasks_entry(server)["details"]["queue"];
    if (queue["dead"] == 1 && queue["queued"] == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(queue["dead"], 1) << queue.dump();
  EXPECT_EQ(queue["queued"], 1) << queue.dump();
  EXPECT_GE(queue["oldest_waiting_seconds"].get<double>(), 60.0) << queue.dump();
}

}  // namespace
}  // namespace netra::testing
