// `netra serve` with the `background_tasks` component: it is ready with the database, its
// schedules (refresh_token_cleanup, run_step_cleanup) queue a job each at start that a worker runs
// to success, /metrics shows the queue, and SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/netra_server.hpp"

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
}

}  // namespace
}  // namespace netra::testing
