// ClickHouse going away and coming back, end to end: netra started against a ClickHouse that is
// down runs `clickhouse` degraded and serves workloads from the embedded store; when ClickHouse
// is back the engine's background retry heals the component without a restart. An outage while
// it runs opens the breaker and the embedded store serves again until ClickHouse answers. Either
// way, what the embedded store took meanwhile is moved into ClickHouse once it serves again, so
// its summaries count those events too.
// Uses a scratch ClickHouse of its own (scripts/clickhouse-test-server); skipped without
// TEST_CLICKHOUSE_URL, like every ClickHouse test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/netra_server.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

json events(int n) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  json out = json::array();
  for (int i = 0; i < n; ++i) {
    out.push_back({{"timestamp", now - 1000 - i},
                   {"workload_id", "w"},
                   {"provider", "openai"},
                   {"model", "gpt-4o"},
                   {"input_tokens", 10},
                   {"output_tokens", 1},
                   {"latency_ms", 100},
                   {"cost_usd", 0.0001}});
  }
  return out;
}

class WorkloadOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!netra::testing::have_test_server("TEST_CLICKHOUSE_URL")) {
      GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)";
    }
    clickhouse_ = std::make_unique<ScratchClickHouse>();
  }

  void start_netra() {
    // Quick background retries and a short open breaker, so that healing takes seconds.
    server_ = std::make_unique<NetraServer>(
        std::vector<std::string>{"analytics.url=" + clickhouse_->url(),
                                 "analytics.user=" + clickhouse_->user(),
                                 "analytics.timeout_ms=2000", "components.clickhouse.retries=0",
                                 "components.clickhouse.backoff_base_ms=200",
                                 "components.clickhouse.backoff_cap_ms=1000"},
        std::map<std::string, std::string>{{"NETRA_ANALYTICS_PASSWORD", clickhouse_->password()}});
    token_ = server_->sign_in("ops@example.com");
  }

  json health() {
    auto r = server_->call("GET", "/health");
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  std::string component_state() {
    const auto h = health();
    for (const auto& c : h["components"]) {
      if (c["name"] == "clickhouse") return c["state"];
    }
    return "missing";
  }
  std::string breaker_state() {
    const auto h = health();
    for (const auto& b : h["breakers"]) {
      if (b["name"] == "clickhouse") return b["state"];
    }
    return "missing";
  }
  // Polls `read` until it returns `want` or 30 s pass.
  template <typename Read>
  bool becomes(Read read, const std::string& want) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
      if (read() == want) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }
  // The requests of the summary, once ClickHouse answers it ("" before; one group expected).
  std::string clickhouse_requests() {
    const auto summary = call(200, "GET", "/api/workloads/summary");
    if (summary["backend"] != "clickhouse" || summary["groups"].size() != 1) return "";
    return summary["groups"][0]["requests"].dump();
  }
  std::string metrics() {
    auto r = server_->call("GET", "/metrics");
    return r ? r->body : "";
  }
  // The value of netra_workload_events_buffered ("missing" without the line).
  std::string buffered_gauge() {
    const std::string name = "\nnetra_workload_events_buffered ";
    const auto text = metrics();
    const auto at = text.find(name);
    if (at == std::string::npos) return "missing";
    const auto begin = at + name.size();
    return text.substr(begin, text.find('\n', begin) - begin);
  }
  json call(int status, const std::string& method, const std::string& target,
            const std::string& body = "") {
    auto r = server_->call(method, target, body, token_);
    EXPECT_TRUE(r.has_value()) << method << " " << target;
    if (!r) return json();
    EXPECT_EQ(r->status, status) << method << " " << target << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }

  std::unique_ptr<ScratchClickHouse> clickhouse_;
  std::unique_ptr<NetraServer> server_;  // stopped before the ClickHouse it points at
  std::string token_;
};

TEST_F(WorkloadOutage, StartsDegradedServesFromTheEmbeddedStoreAndHealsWhenClickHouseReturns) {
  clickhouse_->pause();
  start_netra();
  EXPECT_EQ(component_state(), "degraded");
  EXPECT_EQ(health()["ready"], true) << "clickhouse is not critical";
  EXPECT_EQ(call(200, "POST", "/api/workloads/events", events(3).dump())["backend"], "embedded");
  auto summary = call(200, "GET", "/api/workloads/summary");
  EXPECT_EQ(summary["backend"], "embedded");
  ASSERT_EQ(summary["groups"].size(), 1u);
  EXPECT_EQ(summary["groups"][0]["requests"], 3);
  // Each start attempt while degraded recounts the buffer; a write that lands during a count is
  // counted twice until the next one (analytics_component.cpp, count_buffer), so the gauge
  // settles rather than being exact at every instant.
  EXPECT_TRUE(becomes([&] { return buffered_gauge(); }, "3")) << "the 3 wait in the embedded store";

  clickhouse_->resume();
  ASSERT_TRUE(becomes([&] { return component_state(); }, "ready")) << "not healed:\n"
                                                                   << health().dump(2) << "\n"
                                                                   << server_->process().output();
  EXPECT_EQ(call(200, "POST", "/api/workloads/events", events(5).dump())["backend"], "clickhouse")
      << health().dump(2) << "\n"
      << server_->process().output();
  // The 3 written during the outage were moved into ClickHouse when the component healed.
  EXPECT_TRUE(becomes([&] { return clickhouse_requests(); }, "8"))
      << call(200, "GET", "/api/workloads/summary").dump(2) << "\n"
      << server_->process().output();
  EXPECT_NE(metrics().find("netra_workload_events_replayed_total 3"), std::string::npos)
      << metrics();
  EXPECT_TRUE(becomes([&] { return buffered_gauge(); }, "0")) << metrics();
}

TEST_F(WorkloadOutage, AnOutageAtRunTimeOpensTheBreakerAndTheEmbeddedStoreServesUntilItCloses) {
  start_netra();
  ASSERT_EQ(component_state(), "ready");
  EXPECT_EQ(call(200, "POST", "/api/workloads/events", events(2).dump())["backend"], "clickhouse");
  clickhouse_->pause();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(call(200, "POST", "/api/workloads/events", events(1).dump())["backend"], "embedded");
  }
  EXPECT_EQ(call(200, "GET", "/api/workloads/summary")["backend"], "embedded");
  EXPECT_EQ(breaker_state(), "open");
  EXPECT_EQ(component_state(), "ready") << "the component stays up; its breaker says the rest";
  EXPECT_EQ(buffered_gauge(), "6") << metrics();

  clickhouse_->resume();
  ASSERT_TRUE(becomes([&] { return breaker_state(); }, "closed")) << "the breaker did not close:\n"
                                                                  << health().dump(2);
  // The 6 written while the breaker was open were moved into ClickHouse when it closed.
  EXPECT_TRUE(becomes([&] { return clickhouse_requests(); }, "8"))
      << call(200, "GET", "/api/workloads/summary").dump(2) << "\n"
      << server_->process().output();
  EXPECT_TRUE(becomes([&] { return buffered_gauge(); }, "0")) << metrics();
}

}  // namespace
}  // namespace netra::testing
