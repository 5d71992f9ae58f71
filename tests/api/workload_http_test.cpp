// The workload API end to end: the real `netra` binary over real HTTP, on the embedded store and
// (with TEST_CLICKHOUSE_URL) on ClickHouse, with the same assertions — ingest, the summary
// against an independent computation, validation by index and field, limits, isolation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::vector<std::string> backends() {
  std::vector<std::string> out{"embedded"};
  if (netra::testing::have_test_server("TEST_CLICKHOUSE_URL")) out.push_back("clickhouse");
  return out;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The analytics keys of a server on `backend`: ClickHouse in a database of the test's own.
std::vector<std::string> analytics_sets(const std::string& backend) {
  if (backend == "embedded") return {};
  std::random_device random;
  return {"analytics.url=" + env("TEST_CLICKHOUSE_URL"),
          "analytics.user=" + env("TEST_CLICKHOUSE_USER"),
          "analytics.database=netra_http_" + std::to_string(random()),
          // Events of 2024 stay: retention runs when the component starts.
          "analytics.ttl_days=36500"};
}
std::map<std::string, std::string> analytics_env(const std::string& backend) {
  if (backend == "embedded") return {};
  return {{"NETRA_ANALYTICS_PASSWORD", env("TEST_CLICKHOUSE_PASSWORD")}};
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json event(int64_t at, const std::string& model, int64_t latency) {
  return {{"timestamp", at},          {"workload_id", "w-" + model},
          {"provider", "p-" + model}, {"model", model},
          {"input_tokens", 100},      {"output_tokens", 10},
          {"latency_ms", latency},    {"cost_usd", 0.001}};
}

class WorkloadHttp : public ::testing::TestWithParam<std::string> {
 protected:
  void start(std::vector<std::string> extra = {}) {
    auto sets = analytics_sets(GetParam());
    sets.insert(sets.end(), extra.begin(), extra.end());
    server_ = std::make_unique<NetraServer>(sets, analytics_env(GetParam()));
    alice_ = server_->sign_in("alice@example.com");
    bob_ = server_->sign_in("bob@example.com");
  }
  void SetUp() override { start(); }

  json expect(int status, const std::string& method, const std::string& target,
              const std::string& token, const std::string& body = "") {
    return server_->expect(status, method, target, token, body);
  }
  json post_events(const json& events, const std::string& token, int status = 200) {
    return expect(status, "POST", "/api/workloads/events", token, events.dump());
  }

  std::unique_ptr<NetraServer> server_;
  std::string alice_;
  std::string bob_;
};

INSTANTIATE_TEST_SUITE_P(Backends, WorkloadHttp, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

TEST_P(WorkloadHttp, TheSummaryAgreesWithAnIndependentComputation) {
  const int64_t base = now_ms() - 3'600'000;
  std::mt19937_64 random(7);
  std::map<std::string, std::vector<int64_t>> latencies;
  std::map<std::string, int> errors, cached;
  json events = json::array();
  for (int i = 0; i < 600; ++i) {
    const std::string model = i % 3 == 0 ? "gpt-4o" : i % 3 == 1 ? "haiku" : "flash";
    const int64_t latency = static_cast<int64_t>(random() % 5000);
    auto e = event(base + i, model, latency);
    if (i % 10 == 0) {
      e["status"] = "error";
      ++errors[model];
    }
    if (i % 7 == 0) {
      e["cached"] = true;
      ++cached[model];
    }
    latencies[model].push_back(latency);
    events.push_back(e);
  }
  const auto stored = post_events(events, alice_);
  EXPECT_EQ(stored["accepted"], 600);
  EXPECT_EQ(stored["backend"], GetParam());

  const auto summary = expect(200, "GET", "/api/workloads/summary?group_by=model", alice_);
  EXPECT_EQ(summary["backend"], GetParam());
  EXPECT_EQ(summary["complete"], true) << "the configured store answered: nothing is left out";
  EXPECT_FALSE(summary.contains("partial"));
  EXPECT_EQ(summary["group_by"], "model");
  ASSERT_EQ(summary["groups"].size(), 3u);
  for (const auto& g : summary["groups"]) {
    const std::string model = g["key"];
    auto sorted = latencies.at(model);
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<int64_t>(sorted.size());
    auto pct = [&](int64_t p) { return sorted[std::min(n - 1, n * p / 100)]; };
    EXPECT_EQ(g["requests"], n) << model;
    EXPECT_EQ(g["input_tokens"], 100 * n);
    EXPECT_EQ(g["total_tokens"], 110 * n);
    EXPECT_NEAR(g["cost_usd"].get<double>(), 0.001 * static_cast<double>(n), 1e-9);
    EXPECT_EQ(g["latency_ms"]["p50"], pct(50)) << model;
    EXPECT_EQ(g["latency_ms"]["p95"], pct(95)) << model;
    EXPECT_EQ(g["latency_ms"]["p99"], pct(99)) << model;
    EXPECT_DOUBLE_EQ(g["error_rate"].get<double>(), static_cast<double>(errors[model]) / n);
    EXPECT_DOUBLE_EQ(g["cache_rate"].get<double>(), static_cast<double>(cached[model]) / n);
  }
  const auto by_provider = expect(200, "GET", "/api/workloads/summary?group_by=provider", alice_);
  ASSERT_EQ(by_provider["groups"].size(), 3u);
  EXPECT_EQ(by_provider["groups"][0]["key"], "p-flash") << "ordered by key";
  const auto by_workload = expect(200, "GET", "/api/workloads/summary?group_by=workload", alice_);
  EXPECT_EQ(by_workload["groups"][1]["key"], "w-gpt-4o");
}

TEST_P(WorkloadHttp, TheRangeIsUnixSecondsOrIso8601AndDefaultsToThirtyDays) {
  const int64_t day = 86'400'000;
  const int64_t now = now_ms();
  post_events(json::array({event(now - 40 * day, "old", 1), event(now - 2 * day, "recent", 1),
                           event(1'717'243'200'000, "june", 1)}),  // 2024-06-01T12:00:00Z
              alice_);
  const auto recent = expect(200, "GET", "/api/workloads/summary", alice_);
  ASSERT_EQ(recent["groups"].size(), 1u);
  EXPECT_EQ(recent["groups"][0]["key"], "recent");
  EXPECT_NEAR(recent["to"].get<double>(), static_cast<double>(now / 1000), 60);
  EXPECT_EQ(recent["to"].get<int64_t>() - recent["from"].get<int64_t>(), 30 * 86'400);
  for (const std::string range :
       {"from=2024-06-01&to=2024-06-02", "from=2024-06-01T11:00:00Z&to=2024-06-01T12:00:01Z",
        "from=1717243200&to=1717243201", "from=2024-06-01T13:30:00%2B02:00&to=2024-06-01T12:00:01Z",
        "from=2024-06-01T13:30:00+02:00&to=2024-06-01T12:00:00.001Z"}) {
    const auto june = expect(200, "GET", "/api/workloads/summary?" + range, alice_);
    ASSERT_EQ(june["groups"].size(), 1u) << range;
    EXPECT_EQ(june["groups"][0]["key"], "june") << range;
  }
  const auto empty = expect(200, "GET", "/api/workloads/summary?from=1717243201", alice_);
  EXPECT_EQ(empty["groups"].size(), 2u) << "from without to: up to now";
}

TEST_P(WorkloadHttp, BadQueriesAreRefusedNamingTheParameter) {
  auto fields = [&](const std::string& query) {
    return expect(400, "GET", "/api/workloads/summary?" + query, alice_)["error"]["fields"];
  };
  EXPECT_TRUE(fields("group_by=team").contains("group_by"));
  EXPECT_TRUE(fields("from=yesterday").contains("from"));
  EXPECT_TRUE(fields("to=2024-13-01").contains("to"));
  EXPECT_TRUE(fields("from=2024-06-02&to=2024-06-01").contains("from"));
  EXPECT_TRUE(fields("from=99999999999999").contains("from"));
}

TEST_P(WorkloadHttp, EveryBadEventIsNamedByIndexAndFieldAndNothingIsStored) {
  const int64_t now = now_ms();
  auto missing_model = event(now, "m", 1);
  missing_model.erase("model");
  auto bad_types = event(now, "m", 1);
  bad_types["latency_ms"] = "fast";
  bad_types["status"] = "maybe";
  const auto refused = post_events(
      json::array({event(now, "m", 1), missing_model, event(now, "m", 1), bad_types}), alice_, 400);
  EXPECT_EQ(refused["error"]["code"], "invalid_request");
  EXPECT_THAT(refused["error"]["message"].get<std::string>(), HasSubstr("2 of 4 events"));
  const auto& fields = refused["error"]["fields"];
  EXPECT_TRUE(fields.contains("events[1].model")) << fields;
  EXPECT_TRUE(fields.contains("events[3].latency_ms")) << fields;
  EXPECT_TRUE(fields.contains("events[3].status")) << fields;
  EXPECT_EQ(fields.size(), 3u) << fields;
  ASSERT_EQ(refused["error"]["problems"].size(), 3u);
  EXPECT_EQ(refused["error"]["problems"][0]["index"], 1);
  EXPECT_EQ(refused["error"]["problems"][0]["field"], "model");
  EXPECT_TRUE(expect(200, "GET", "/api/workloads/summary", alice_)["groups"].empty())
      << "a batch is stored whole or not at all";

  for (const std::string body : {"not json", "{}", "[]", "[1,2]"}) {
    EXPECT_EQ(expect(400, "POST", "/api/workloads/events", alice_, body)["error"]["code"],
              "invalid_request")
        << body;
  }
}

TEST_P(WorkloadHttp, TakesTenThousandEventsInOneBatchAndNoMore) {
  const int64_t now = now_ms();
  json events = json::array();
  for (int i = 0; i < 10000; ++i) {
    auto e = event(now - i, "bulk", i % 900);
    e["prompt_hash"] = "hash-" + std::to_string(i % 50);
    e["tags"] = {{"team", "search"}, {"env", "prod"}};
    events.push_back(e);
  }
  ASSERT_GT(events.dump().size(), size_t{1024 * 1024}) << "more than the server's default limit";
  EXPECT_EQ(post_events(events, alice_)["accepted"], 10000);
  events.push_back(event(now, "bulk", 1));
  EXPECT_THAT(post_events(events, alice_, 400)["error"]["message"].get<std::string>(),
              HasSubstr("1 to 10000 events"));
  const auto summary = expect(200, "GET", "/api/workloads/summary", alice_);
  EXPECT_EQ(summary["groups"][0]["requests"], 10000);
  // Other routes keep the server's limit.
  const auto big_thread = json{{"title", "t"}, {"metadata", {{"x", std::string(2 << 20, 'a')}}}};
  expect(413, "POST", "/api/threads", alice_, big_thread.dump());
}

TEST_P(WorkloadHttp, ABodyOverTheRouteLimitIsRefusedBeforeItIsSent) {
  TestHttpClient client("127.0.0.1", server_->port());
  client.send("POST /api/workloads/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + alice_ +
              "\r\nContent-Length: " + std::to_string(17 << 20) + "\r\n\r\n[");
  auto r = client.read_response(10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("16777216"));
}

TEST_P(WorkloadHttp, DemoDataGivesAnAccountAMeaningfulSummary) {
  server_.reset();
  TempDir data;
  auto env = analytics_env(GetParam());
  env["NETRA_DATABASE_URL"] = "sqlite:" + data.file("netra.db");
  env["NETRA_AUTH_KEY_DIR"] = data.file("keys");
  std::vector<std::string> argv = {NETRA_BIN, "demo-data", "--email", "demo@example.com", "--days",
                                   "30",      "--events",  "3000",    "--seed",           "5"};
  const auto sets = analytics_sets(GetParam());
  for (const auto& set : sets) {
    argv.insert(argv.begin() + 1, {"--set", set});
  }
  const auto made = run_process(argv, env, 120s);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(made.output, HasSubstr("created account demo@example.com"));
  EXPECT_THAT(made.output, HasSubstr("wrote 3000 events"));
  const auto again = run_process(argv, env, 120s);
  EXPECT_THAT(again.output, HasSubstr("reused account demo@example.com")) << again.output;

  server_ = std::make_unique<NetraServer>(sets, env);
  const auto token = server_->sign_in("demo@example.com");
  const auto by_provider = expect(200, "GET", "/api/workloads/summary?group_by=provider", token);
  EXPECT_EQ(by_provider["backend"], GetParam());
  EXPECT_GE(by_provider["groups"].size(), 4u);
  int64_t requests = 0;
  for (const auto& g : by_provider["groups"]) requests += g["requests"].get<int64_t>();
  EXPECT_EQ(requests, 6000) << "two runs of 3,000";
  const auto by_workload = expect(200, "GET", "/api/workloads/summary?group_by=workload", token);
  EXPECT_GE(by_workload["groups"].size(), 5u);
  EXPECT_TRUE(
      expect(200, "GET", "/api/workloads/summary", server_->sign_in("x@example.com"))["groups"]
          .empty());
}

TEST_P(WorkloadHttp, EachUserSeesOnlyTheirOwnEvents) {
  const int64_t now = now_ms();
  post_events(json::array({event(now, "alice-model", 5), event(now, "alice-model", 6)}), alice_);
  post_events(json::array({event(now, "bob-model", 7)}), bob_);
  auto spoofed = event(now, "spoof", 1);
  spoofed["user_id"] = "someone-else";
  const auto refused = post_events(json::array({spoofed}), bob_, 400);
  EXPECT_TRUE(refused["error"]["fields"].contains("events[0].user_id"));
  const auto alice = expect(200, "GET", "/api/workloads/summary", alice_)["groups"];
  const auto bob = expect(200, "GET", "/api/workloads/summary", bob_)["groups"];
  ASSERT_EQ(alice.size(), 1u);
  EXPECT_EQ(alice[0]["key"], "alice-model");
  EXPECT_EQ(alice[0]["requests"], 2);
  ASSERT_EQ(bob.size(), 1u);
  EXPECT_EQ(bob[0]["key"], "bob-model");
}

TEST_P(WorkloadHttp, EveryRouteNeedsAToken) {
  expect(401, "GET", "/api/workloads/summary", "");
  expect(401, "POST", "/api/workloads/events", "", "[]");
  expect(401, "GET", "/api/workloads/summary", "not-a-token");
  const auto doc = expect(200, "GET", "/openapi.json", "");
  EXPECT_TRUE(doc["paths"]["/api/workloads/events"].contains("post"));
  EXPECT_TRUE(doc["paths"]["/api/workloads/summary"].contains("get"));
  EXPECT_THAT(server_->process().output(), ::testing::Not(HasSubstr("missing from /openapi.json")));
}

TEST_P(WorkloadHttp, OverTheIngestRateA429SaysWhenToComeBack) {
  server_.reset();
  start({"analytics.ingest_events_per_second=10", "analytics.ingest_burst_events=10000"});
  const int64_t now = now_ms();
  json batch = json::array();
  for (int i = 0; i < 9990; ++i) batch.push_back(event(now - i, "m", 1));
  post_events(batch, alice_);
  json more = json::array();
  for (int i = 0; i < 500; ++i) more.push_back(event(now - i, "m", 1));
  auto r = server_->call("POST", "/api/workloads/events", more.dump(), alice_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "rate_limited");
  const int retry_after = std::stoi(r->header("retry-after"));
  // 490 more events at 10 per second, less what refilled while the first batch was stored.
  EXPECT_GE(retry_after, 25);
  EXPECT_LE(retry_after, 49);
  EXPECT_EQ(post_events(more, bob_)["accepted"], 500) << "another user has a bucket of their own";
  EXPECT_EQ(expect(200, "GET", "/api/workloads/summary", alice_)["groups"][0]["requests"], 9990)
      << "the refused batch was not stored";
  const auto metrics = server_->call("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body,
              HasSubstr("netra_workload_events_total{outcome=\"rate_limited\"} 500"));
  EXPECT_THAT(metrics->body, HasSubstr("netra_workload_events_total{outcome=\"stored_" +
                                       GetParam() + "\"} 10490"));
}

}  // namespace
}  // namespace netra::testing
