// The fault matrix: ClickHouse frozen (SIGSTOP: connections stay open, nothing answers) while
// netra uses it, and a "ClickHouse" that accepts and never answers from the start. A read waits
// at most analytics.timeout_ms, then the breaker answers at once from the embedded store; writes
// meanwhile are kept there; once ClickHouse answers again they are moved into it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "faults/workload_batches.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/netra_server.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kTimeoutMs = 1000;  // analytics.timeout_ms
constexpr auto kSlack = 1500ms;   // the answer's way back, under ASan
constexpr auto kAtOnce = 500ms;   // an answer that waited on nothing

// The summary of everything so far; each call names another `to` (in the future), so that none
// is answered from the 30 s summary cache.
std::string uncached_summary() {
  static int call = 0;
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  return "/api/workloads/summary?to=" + std::to_string(now_s + 3600 + ++call);
}

struct Timed {
  int status = 0;
  json body;
  milliseconds took{0};
};

Timed timed(NetraServer& server, const std::string& method, const std::string& target,
            const std::string& token, const std::string& body = "") {
  const auto began = Clock::now();
  const auto answer = server.call(method, target, body, token);
  Timed out;
  out.took = std::chrono::duration_cast<milliseconds>(Clock::now() - began);
  if (answer) {
    out.status = answer->status;
    out.body = json::parse(answer->body, nullptr, false);
  }
  return out;
}

std::string breaker_state(NetraServer& server) {
  const auto health = json::parse(server.call("GET", "/health")->body, nullptr, false);
  for (const auto& breaker : health["breakers"]) {
    if (breaker["name"] == "clickhouse") return breaker["state"];
  }
  return "missing";
}

int64_t requests_in(const json& summary) {
  int64_t total = 0;
  for (const auto& group : summary["groups"]) total += group["requests"].get<int64_t>();
  return total;
}

std::vector<std::string> analytics_sets(const std::string& url) {
  return {"analytics.url=" + url, "analytics.timeout_ms=" + std::to_string(kTimeoutMs),
          "components.clickhouse.retries=0", "components.clickhouse.backoff_base_ms=200",
          "components.clickhouse.backoff_cap_ms=1000"};
}

TEST(ClickHouseFrozen, ReadsWaitAtMostTheTimeoutThenTheBreakerAnswersAtOnceAndItHeals) {
  if (!have_test_server("TEST_CLICKHOUSE_URL")) GTEST_SKIP() << "no TEST_CLICKHOUSE_URL";
  ScratchClickHouse clickhouse;
  auto sets = analytics_sets(clickhouse.url());
  sets.push_back("analytics.user=" + clickhouse.user());
  NetraServer server(sets, {{"NETRA_ANALYTICS_PASSWORD", clickhouse.password()}});
  const auto token = server.sign_in("frozen-ch@example.com");
  const auto stored = timed(server, "POST", "/api/workloads/events", token, batch_body(1, 500));
  ASSERT_EQ(stored.status, 200) << stored.body.dump();
  ASSERT_EQ(stored.body["backend"], "clickhouse");
  EXPECT_EQ(timed(server, "GET", uncached_summary(), token).body["complete"], true);

  const int64_t frozen_at_s = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  clickhouse.freeze();
  // Reads until the breaker opens: none waits past the timeout.
  int waited = 0;
  while (breaker_state(server) != "open" && waited < 10) {
    const auto read = timed(server, "GET", uncached_summary(), token);
    EXPECT_EQ(read.status, 200) << read.body.dump();
    EXPECT_LT(read.took, milliseconds(kTimeoutMs) + kSlack) << "a read outwaited the timeout";
    ++waited;
  }
  ASSERT_EQ(breaker_state(server), "open") << server.process().output();
  // From now on nothing waits on the frozen server.
  const auto fast_read = timed(server, "GET", uncached_summary(), token);
  EXPECT_EQ(fast_read.status, 200);
  EXPECT_EQ(fast_read.body["backend"], "embedded");
  EXPECT_LT(fast_read.took, kAtOnce);
  // The embedded store holds none of the 500 from before: the answer says it is partial, since
  // when, and what it leaves out — not a silent fall from 500 to 0.
  EXPECT_EQ(fast_read.body["complete"], false) << fast_read.body.dump();
  EXPECT_GE(fast_read.body["partial"]["since"].get<int64_t>(), frozen_at_s - 1);
  EXPECT_THAT(fast_read.body["partial"]["missing"].get<std::string>(),
              ::testing::HasSubstr("stored in ClickHouse are left out"));
  const auto kept = timed(server, "POST", "/api/workloads/events", token, batch_body(2, 30));
  EXPECT_EQ(kept.status, 200) << kept.body.dump();
  EXPECT_EQ(kept.body["backend"], "embedded");
  EXPECT_LT(kept.took, kAtOnce);

  clickhouse.thaw();
  // Healed, and the 30 kept meanwhile moved into ClickHouse: 530 there.
  const auto until = Clock::now() + 40s;
  int64_t in_clickhouse = 0;
  while (Clock::now() < until) {
    const auto summary = timed(server, "GET", uncached_summary(), token);
    if (summary.body["backend"] == "clickhouse") in_clickhouse = requests_in(summary.body);
    if (in_clickhouse == 530) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(in_clickhouse, 530) << server.process().output();
  EXPECT_EQ(timed(server, "GET", uncached_summary(), token).body["complete"], true);
}

TEST(ClickHouseBlackholed, StartUpDoesNotWaitOnItAndReadsAreAnsweredFromTheEmbeddedStore) {
  // Accepts every connection, reads the request, never answers.
  MisbehavingPeer blackhole([](PeerConnection& connection, size_t) {
    if (connection.read_request()) connection.stall(60s);
  });
  const auto began = Clock::now();
  NetraServer server(analytics_sets("http://127.0.0.1:" + std::to_string(blackhole.port())));
  const auto started = Clock::now() - began;
  EXPECT_LT(started, milliseconds(kTimeoutMs) + 5s) << server.process().output();
  const auto token = server.sign_in("blackholed-ch@example.com");

  const int64_t written_at_s = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  const auto kept = timed(server, "POST", "/api/workloads/events", token, batch_body(1, 30));
  EXPECT_EQ(kept.status, 200) << kept.body.dump();
  EXPECT_EQ(kept.body["backend"], "embedded");
  EXPECT_LT(kept.took, milliseconds(kTimeoutMs) + kSlack);
  // The answer's `since` must cover the buffered write, even when no read came before it.
  std::this_thread::sleep_for(1500ms);
  for (int i = 0; i < 5; ++i) {
    const auto read = timed(server, "GET", uncached_summary(), token);
    EXPECT_EQ(read.status, 200);
    EXPECT_EQ(read.body["backend"], "embedded");
    EXPECT_EQ(requests_in(read.body), 30);
    EXPECT_EQ(read.body["complete"], false) << "ClickHouse, configured, has never answered";
    EXPECT_LE(read.body["partial"]["since"].get<int64_t>(), written_at_s + 1)
        << "the partial answer claims to start after the events it counts";
    EXPECT_LT(read.took, milliseconds(kTimeoutMs) + kSlack) << "a read outwaited the timeout";
  }
}

}  // namespace
}  // namespace netra::testing
