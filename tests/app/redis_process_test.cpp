// `netra` with redis.url: a URL it cannot use is a configuration error (exit 2) that never prints
// the password; the `redis` component is ready against scripts/test's Redis, degraded while Redis
// cannot be reached or refuses the password (the service serves anyway), and heals by itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/child_process.hpp"
#include "support/netra_server.hpp"
#include "support/scratch_redis.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kAdmin = "redis-process-test-admin-token-0123456789";

nlohmann::json redis_component(NetraServer& server) {
  auto health = server.expect(200, "GET", "/health", kAdmin);
  for (const auto& c : health["components"]) {
    if (c["name"] == "redis") return c;
  }
  ADD_FAILURE() << "no redis component in " << health.dump();
  return {};
}

// Polls /health until the redis component is in `state` or `limit` passes.
bool redis_becomes(NetraServer& server, const std::string& state, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (redis_component(server)["state"] == state) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(RedisProcess, AnUnusableUrlIsAConfigurationErrorThatNamesTheKeyButNotThePassword) {
  for (const auto& [url, reason] : std::vector<std::pair<std::string, std::string>>{
           {"ftp://:hunter2-secret@cache:6379", "unknown scheme 'ftp'"},
           {"redis://:hunter2-secret@cache:6379/x", "database"}}) {
    auto r = run_process({NETRA_BIN, "check"}, {{"NETRA_REDIS_URL", url}});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("redis.url: "));
    EXPECT_THAT(r.output, HasSubstr(reason));
    EXPECT_THAT(r.output, Not(HasSubstr("hunter2-secret")));
  }
}

TEST(RedisProcess, WithoutAUrlTheComponentIsReadyAndSaysStateStaysInProcess) {
  NetraServer server({}, {{"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  EXPECT_EQ(redis_component(server)["state"], "ready");
  EXPECT_THAT(server.process().output(), HasSubstr("redis.url is empty: one instance"));
}

// hiredis writes to Redis with write(2): a Redis that closed the connection mid-write would raise
// SIGPIPE, whose default ends the process (cluster_e2e.RedisOutage once lost an instance to it).
TEST(RedisProcess, TheServerIgnoresSigpipeSoARedisThatWentAwayIsAnErrorNotItsEnd) {
  NetraServer server({}, {{"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  std::ifstream status("/proc/" + std::to_string(server.process().pid()) + "/status");
  std::string line;
  unsigned long long ignored = 0;
  while (std::getline(status, line)) {
    if (line.rfind("SigIgn:", 0) == 0) ignored = std::stoull(line.substr(7), nullptr, 16);
  }
  EXPECT_NE(ignored & (1ULL << (SIGPIPE - 1)), 0u) << "SigIgn mask " << std::hex << ignored;
}

TEST(RedisProcess, WithTheTestRedisTheComponentIsReadyWithAConnectionPerLoopAndABreaker) {
  if (!have_test_server("TEST_REDIS_URL")) GTEST_SKIP() << "TEST_REDIS_URL not set";
  NetraServer server({"server.threads=2"}, {{"NETRA_REDIS_URL", test_server("TEST_REDIS_URL")},
                                            {"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  EXPECT_EQ(redis_component(server)["state"], "ready");
  auto health = server.expect(200, "GET", "/health", kAdmin);
  bool breaker = false;
  for (const auto& b : health["breakers"]) {
    if (b["name"] == "redis") {
      breaker = true;
      EXPECT_EQ(b["state"], "closed");
      EXPECT_EQ(b["critical"], false);
    }
  }
  EXPECT_TRUE(breaker) << health.dump();
  auto metrics = server.call("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("netra_redis_connections{role=\"command\"} 2"));
  EXPECT_THAT(metrics->body, HasSubstr("netra_redis_connections{role=\"subscriber\"} 1"));
  EXPECT_THAT(server.process().output(), Not(HasSubstr(test_server("TEST_REDIS_PASSWORD"))));
}

TEST(RedisProcess, AWrongPasswordDegradesTheServiceWhichServesAndNeverLogsThePassword) {
  ScratchRedis redis;
  NetraServer server({}, {{"NETRA_REDIS_URL", redis.url_with_password("wrong-pass-7781")},
                          {"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  auto component = redis_component(server);
  EXPECT_EQ(component["state"], "degraded");
  EXPECT_THAT(component["error"].get<std::string>(), HasSubstr("authentication failed"));
  EXPECT_EQ(server.expect(200, "GET", "/health", kAdmin)["status"], "degraded");
  server.expect(200, "GET", "/health/ready", "");
  const auto token = server.sign_in("redis-degraded@example.com");
  server.expect(200, "GET", "/api/threads", token);
  EXPECT_THAT(server.process().output(), HasSubstr("authentication failed"));
  EXPECT_THAT(server.process().output(), Not(HasSubstr("wrong-pass-7781")));
}

TEST(RedisProcess, ARedisThatIsDownAtStartDegradesTheServiceAndTheComponentHealsWhenItComes) {
  ScratchRedis redis;
  redis.kill();
  NetraServer server({"components.redis.backoff_cap_ms=500"},
                     {{"NETRA_REDIS_URL", redis.url()}, {"NETRA_SERVER_ADMIN_TOKEN", kAdmin}});
  EXPECT_EQ(redis_component(server)["state"], "degraded");
  const auto token = server.sign_in("redis-down@example.com");
  server.expect(200, "GET", "/api/threads", token);
  ASSERT_TRUE(redis.start());
  EXPECT_TRUE(redis_becomes(server, "ready", 20s)) << redis_component(server).dump();
  EXPECT_EQ(server.expect(200, "GET", "/health", kAdmin)["status"], "ok");
}

}  // namespace
}  // namespace netra::testing
