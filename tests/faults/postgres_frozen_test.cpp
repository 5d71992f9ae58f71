// The fault matrix, first row: PostgreSQL frozen (every process of it stopped with SIGSTOP)
// while netra takes traffic. Each call must end within database.query_timeout_ms instead of the
// request's whole deadline, the breaker must then fail the rest fast, /health/ready must drop
// while /health/live stays 200, and after SIGCONT the same process must heal by itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>
#include <vector>

#include "faults/frozen_postgres.hpp"
#include "support/netra_server.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kQueryTimeoutMs = 1000;
// What a call may take beyond the query timeout: the answer's way back, under ASan, on a
// machine shared with the test itself.
constexpr auto kSlack = 1500ms;

struct Answer {
  int status = 0;  // 0: no answer at all
  milliseconds took{0};
};

Answer timed_call(NetraServer& server, const std::string& target, const std::string& token) {
  const auto began = steady_clock::now();
  auto response = server.call("GET", target, "", token);
  return {response ? response->status : 0,
          std::chrono::duration_cast<milliseconds>(steady_clock::now() - began)};
}

bool eventually(const std::function<bool()>& check, std::chrono::seconds limit) {
  const auto until = steady_clock::now() + limit;
  while (steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(PostgresFrozen, CallsEndAtTheQueryTimeoutThenFailFastAndHealAfterThaw) {
  const std::string cluster = test_server("TEST_POSTGRES_DIR");
  if (cluster.empty()) return;
  ScratchPostgresDatabase database("netra_frozen");
  NetraServer server({"database.query_timeout_ms=" + std::to_string(kQueryTimeoutMs)},
                     {{"NETRA_DATABASE_URL", database.url()}});
  const std::string token = server.sign_in("frozen@example.com");
  ASSERT_EQ(timed_call(server, "/api/threads", token).status, 200);

  FrozenPostgres frozen(cluster);
  ASSERT_TRUE(frozen.freeze());

  // Traffic while it is frozen: waves of eight callers at once, each on a connection of its
  // own, until the breaker opens (its window of 20 calls still holds the successes from before).
  auto breaker_open = [&] {
    return http_get(server.port(), "/health")->body.find("\"state\":\"open\"") != std::string::npos;
  };
  for (int wave = 0; wave < 3 && !breaker_open(); ++wave) {
    std::vector<Answer> answers(8);
    std::vector<std::thread> callers;
    for (auto& answer : answers) {
      callers.emplace_back([&] { answer = timed_call(server, "/api/threads", token); });
    }
    for (auto& caller : callers) caller.join();
    for (const auto& answer : answers) {
      EXPECT_THAT(answer.status, ::testing::AnyOf(503, 504));
      EXPECT_LT(answer.took, milliseconds(kQueryTimeoutMs) + kSlack)
          << "a call waited for the frozen server past database.query_timeout_ms";
    }
  }
  ASSERT_TRUE(breaker_open()) << server.process().output();

  // The breaker has seen enough: the next calls fail at once, without touching the server.
  const auto fast = timed_call(server, "/api/threads", token);
  EXPECT_EQ(fast.status, 503);
  EXPECT_LT(fast.took, 500ms) << "the breaker did not fail the call fast";
  const auto ready = http_get(server.port(), "/health/ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 503);
  const auto live = http_get(server.port(), "/health/live");
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->status, 200);

  frozen.thaw();
  EXPECT_TRUE(
      eventually([&] { return timed_call(server, "/api/threads", token).status == 200; }, 20s))
      << server.process().output();
  EXPECT_TRUE(
      eventually([&] { return http_get(server.port(), "/health/ready")->status == 200; }, 10s));
  EXPECT_EQ(::kill(server.process().pid(), 0), 0) << "netra had to be restarted";
}

}  // namespace
}  // namespace netra::testing
