// The fault matrix: PostgreSQL stopped and started again while writers create threads. While it
// is down every call fails quickly (503, not a wait), readiness drops; it heals by itself once
// the server is back, and every write that was acknowledged is there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/netra_server.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A failing call while the server is down: the refused connection is known at once, so nothing
// near the 3 s query timeout, let alone the request's 10 s.
constexpr auto kQuickFailure = 1500ms;

struct Writes {
  std::mutex mutex;
  std::set<std::string> acknowledged;  // thread ids answered 201
  int failed = 0;                      // answered 503 or 504
  milliseconds slowest_failure{0};
  std::vector<std::string> unexpected;  // any other answer
};

void write_until(NetraServer& server, const std::string& token, const std::atomic<bool>& stop,
                 Writes& writes, int writer) {
  for (int n = 0; !stop.load(); ++n) {
    const auto began = Clock::now();
    const auto title = "w" + std::to_string(writer) + "-" + std::to_string(n);
    const auto answer = server.call("POST", "/api/threads", json{{"title", title}}.dump(), token);
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - began);
    std::lock_guard lock(writes.mutex);
    if (answer && answer->status == 201) {
      writes.acknowledged.insert(json::parse(answer->body)["id"].get<std::string>());
    } else if (answer && (answer->status == 503 || answer->status == 504)) {
      ++writes.failed;
      writes.slowest_failure = std::max(writes.slowest_failure, took);
      std::this_thread::sleep_for(20ms);  // as a client backs off; keeps the log readable
    } else {
      writes.unexpected.push_back(answer ? std::to_string(answer->status) + " " + answer->body
                                         : "no answer");
    }
  }
}

std::set<std::string> every_thread(NetraServer& server, const std::string& token) {
  std::set<std::string> ids;
  for (int offset = 0;; offset += 100) {
    const auto page =
        server.expect(200, "GET", "/api/threads?limit=100&offset=" + std::to_string(offset), token);
    for (const auto& thread : page) ids.insert(thread["id"].get<std::string>());
    if (page.size() < 100) return ids;
  }
}

TEST(PostgresRestarted, CallsFailQuicklyWhileItIsDownItHealsAndNoAcknowledgedWriteIsLost) {
  const std::string cluster = test_server("TEST_POSTGRES_DIR");
  if (cluster.empty()) return;
  const std::string script = std::string(NETRA_SOURCE_DIR) + "/scripts/postgres-test-server";
  ScratchPostgresDatabase database("netra_restarted");
  NetraServer server({}, {{"NETRA_DATABASE_URL", database.url()}});
  const std::string token = server.sign_in("restarted@example.com");

  Writes writes;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int writer = 0; writer < 3; ++writer) {
    writers.emplace_back([&, writer] { write_until(server, token, stop, writes, writer); });
  }
  std::this_thread::sleep_for(1s);
  const bool paused = run_process({script, "pause", cluster}).exit_code == 0;
  std::this_thread::sleep_for(2s);  // down, under traffic
  const auto ready_while_down = http_get(server.port(), "/health/ready");
  const bool resumed = run_process({script, "resume", cluster}).exit_code == 0;
  // Healed: writes succeed again without a restart of netra.
  size_t before = 0;
  {
    std::lock_guard lock(writes.mutex);
    before = writes.acknowledged.size();
  }
  const auto heal_by = Clock::now() + 20s;
  bool healed = false;
  while (!healed && Clock::now() < heal_by) {
    std::this_thread::sleep_for(100ms);
    std::lock_guard lock(writes.mutex);
    healed = writes.acknowledged.size() > before + 10;
  }
  stop = true;
  for (auto& writer : writers) writer.join();

  ASSERT_TRUE(paused && resumed) << "the test PostgreSQL could not be stopped and started";
  ASSERT_TRUE(ready_while_down.has_value());
  EXPECT_EQ(ready_while_down->status, 503);
  EXPECT_TRUE(healed) << server.process().output();
  EXPECT_GT(writes.failed, 0) << "no write met the outage";
  EXPECT_LT(writes.slowest_failure, kQuickFailure) << "a call waited on a server that was down";
  EXPECT_THAT(writes.unexpected, ::testing::IsEmpty());
  EXPECT_EQ(http_get(server.port(), "/health/ready")->status, 200);

  const auto stored = every_thread(server, token);
  std::vector<std::string> lost;
  for (const auto& id : writes.acknowledged) {
    if (!stored.count(id)) lost.push_back(id);
  }
  EXPECT_THAT(lost, ::testing::IsEmpty()) << "acknowledged writes lost";
  std::cout << writes.acknowledged.size() << " writes acknowledged, " << writes.failed
            << " failed while the server was down (slowest " << writes.slowest_failure.count()
            << " ms)" << std::endl;
}

}  // namespace
}  // namespace netra::testing
