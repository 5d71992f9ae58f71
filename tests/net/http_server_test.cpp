// The HTTP server as clients see it: a real `netra_fixture serve` process, raw-socket and curl
// clients, every limit, routing, request ids, probes during a slow start-up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "core/cpu_budget.hpp"
#include "support/child_process.hpp"
#include "support/fixture_server.hpp"
#include "support/http_client.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

nlohmann::json error_of(const TestResponse& r) {
  return nlohmann::json::parse(r.body)["error"];
}

TEST(HttpProbes, AnswerFromTheFirstMillisecondOfASlowStartUp) {
  FixtureServer server("slow_start");
  // slow_db takes 1.5 s; the api requires it.
  auto live = http_get(server.port(), "/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  auto startup = http_get(server.port(), "/health/startup");
  ASSERT_TRUE(startup);
  EXPECT_EQ(startup->status, 503);
  auto body = nlohmann::json::parse(startup->body);
  EXPECT_EQ(body["status"], "in_progress");
  bool saw_slow_db = false;
  for (const auto& c : body["startup"]["components"]) {
    if (c["name"] == "slow_db") {
      saw_slow_db = true;
      EXPECT_EQ(c["state"], "starting");
      EXPECT_EQ(c["attempts"], 1);
    }
  }
  EXPECT_TRUE(saw_slow_db);

  auto ready = http_get(server.port(), "/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->header("retry-after"), "1");

  auto api = http_get(server.port(), "/api/fixture/items/7");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 503);
  EXPECT_EQ(api->header("retry-after"), "1");
  EXPECT_EQ(error_of(*api)["component"], "api");
  EXPECT_THAT(error_of(*api)["message"].get<std::string>(),
              HasSubstr("component 'api' is not ready"));
  auto answered_at_once = http_get(server.port(), "/api/fixture/inline/7");  // the same gate
  ASSERT_TRUE(answered_at_once);
  EXPECT_EQ(answered_at_once->status, 503);
  EXPECT_EQ(error_of(*answered_at_once)["component"], "api");

  auto health = http_get(server.port(), "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(nlohmann::json::parse(health->body)["status"], "starting");

  ASSERT_TRUE(server.wait_until_serving());
  EXPECT_EQ(http_get(server.port(), "/health/startup")->status, 200);
  EXPECT_EQ(http_get(server.port(), "/health/ready")->status, 200);
  auto item = http_get(server.port(), "/api/fixture/items/7");
  ASSERT_EQ(item->status, 200);
  EXPECT_EQ(nlohmann::json::parse(item->body)["id"], "7");
  auto inline_item = http_get(server.port(), "/api/fixture/inline/8");
  ASSERT_EQ(inline_item->status, 200);
  EXPECT_EQ(nlohmann::json::parse(inline_item->body)["id"], "8");
  auto report = nlohmann::json::parse(http_get(server.port(), "/health/startup")->body);
  EXPECT_EQ(report["startup"]["outcome"], "ready");
  // The chain that set the start time runs through the api (websocket, which requires it, may
  // come after it).
  std::vector<std::string> chain;
  for (const auto& link : report["startup"]["critical_chain"]) chain.push_back(link["name"]);
  EXPECT_THAT(chain, ::testing::Contains("api"));
}

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new FixtureServer(
        "http", {"--set", "server.body_limit_bytes=1024", "--set", "server.header_limit_bytes=2048",
                 "--set", "server.request_timeout_ms=500", "--set", "server.idle_timeout_ms=400",
                 "--set", "server.request_deadline_ms=300", "--set", "server.max_connections=50",
                 "--set", "watchdog.threshold_ms=100"});
    if (!server_->wait_until_serving()) throw std::runtime_error(server_->process().output());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  int port() const { return server_->port(); }
  static FixtureServer* server_;
};
FixtureServer* HttpServerTest::server_ = nullptr;

TEST_F(HttpServerTest, UnknownPathIs404WithJsonError) {
  auto r = http_get(port(), "/no/such/thing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(error_of(*r)["code"], "not_found");
  EXPECT_EQ(r->header("content-type"), "application/json");
}

// The message names the path, whose bytes need not be UTF-8: they are written as U+FFFD. Before,
// the error body threw and the connection ended with no answer (found by the route fuzzer).
TEST_F(HttpServerTest, APathThatIsNotUtf8IsStillAnswered) {
  auto r = http_get(port(), "/no/%FF%C3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(error_of(*r)["message"], "no route for /no/\uFFFD\uFFFD");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  TestHttpClient client("127.0.0.1", port());
  client.send("DELETE /health/live HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  EXPECT_EQ(error_of(*r)["code"], "method_not_allowed");
}

TEST_F(HttpServerTest, HeadIsAnsweredForEveryGetRouteWithoutABody) {
  auto r = run_process(
      {"/usr/bin/curl", "-sS", "-I", "http://127.0.0.1:" + std::to_string(port()) + "/health"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(r.output, ::testing::ContainsRegex("Content-Length: [1-9][0-9]*"));
  // A raw client sees the headers and then the next response, not a body.
  TestHttpClient client("127.0.0.1", port());
  client.send(
      "HEAD /health/live HTTP/1.1\r\nHost: t\r\n\r\nGET /health/live HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = client.read_response();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "18");
}

// W3C Trace Context: a caller's trace is continued (our span in the answer's traceparent), a
// missing or invalid one is started here; the trace id is in the access log and error bodies.
TEST_F(HttpServerTest, EveryAnswerCarriesItsTraceAndErrorsQuoteItsId) {
  const std::string caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto continued = http_get(port(), "/health/live", {{"traceparent", caller}});
  ASSERT_TRUE(continued);
  const std::string ours(continued->header("traceparent"));
  EXPECT_TRUE(
      std::regex_match(ours, std::regex("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")))
      << ours;
  EXPECT_NE(ours, caller);
  ASSERT_TRUE(server_->process().wait_for_output("trace=4bf92f3577b34da6a3ce929d0e0e4736", 2s));

  auto started = http_get(port(), "/no/such/route", {{"traceparent", "00-not-a-trace-01"}});
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 404);
  const std::string header(started->header("traceparent"));
  ASSERT_TRUE(std::regex_match(header, std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01"))) << header;
  const auto error = nlohmann::json::parse(started->body)["error"];
  EXPECT_EQ(error["trace_id"], header.substr(3, 32));
  EXPECT_EQ(error["code"], "not_found") << "the rest of the error stays as it was";
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  TestHttpClient client("127.0.0.1", port());
  for (int i = 0; i < 5; ++i) {
    auto r = client.get("/health/live");
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGeneratedAndLogged) {
  auto given = http_get(port(), "/health/live", {{"X-Request-Id", "trace-abc-123"}});
  ASSERT_TRUE(given);
  EXPECT_EQ(given->header("x-request-id"), "trace-abc-123");
  auto generated = http_get(port(), "/health/live");
  ASSERT_TRUE(generated);
  EXPECT_TRUE(
      std::regex_match(generated->header("x-request-id"), std::regex("req_[A-Za-z0-9_-]{22}")));
  auto unsafe = http_get(port(), "/health/live", {{"X-Request-Id", std::string(200, 'x')}});
  EXPECT_NE(unsafe->header("x-request-id"), std::string(200, 'x'));
  ASSERT_TRUE(server_->process().wait_for_output("rid=trace-abc-123", 2s));
  EXPECT_TRUE(server_->process().wait_for_output("rid=" + generated->header("x-request-id"), 2s));
}

TEST_F(HttpServerTest, PathParametersAreDecoded) {
  auto r = http_get(port(), "/api/fixture/items/a%20b");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["id"], "a b");
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  TestHttpClient client("127.0.0.1", port());
  client.send("POST /api/fixture/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_of(*r)["code"], "payload_too_large");
  EXPECT_TRUE(client.closed_within(1s));
}

TEST_F(HttpServerTest, BodyWithinTheLimitIsAccepted) {
  TestHttpClient client("127.0.0.1", port());
  const std::string body(1000, 'a');
  client.send("POST /api/fixture/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + body);
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["bytes"], 1000);
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  TestHttpClient client("127.0.0.1", port());
  client.send("GET /health/live HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'h') +
              "\r\n\r\n");
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(error_of(*r)["code"], "headers_too_large");
}

TEST_F(HttpServerTest, SlowSenderGets408AndIsDisconnected) {
  TestHttpClient client("127.0.0.1", port());
  const std::string request = "GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n";
  const auto began = Clock::now();
  // One byte every 100 ms: the whole request would take 4 s; the limit is 500 ms.
  std::optional<TestResponse> r;
  for (char c : request) {
    if (!client.send(std::string(1, c))) break;
    r = client.read_response(100ms);
    if (r) break;
  }
  ASSERT_TRUE(r) << "no 408 while trickling";
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(error_of(*r)["code"], "request_timeout");
  EXPECT_LT(Clock::now() - began, 1500ms);
  EXPECT_TRUE(client.closed_within(1s));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  TestHttpClient client("127.0.0.1", port());
  ASSERT_EQ(client.get("/health/live")->status, 200);
  const auto began = Clock::now();
  EXPECT_TRUE(client.closed_within(2s));
  EXPECT_GE(Clock::now() - began, 300ms);
}

TEST_F(HttpServerTest, HandlerPastTheDeadlineGets504AtTheDeadline) {
  const auto began = Clock::now();
  auto r = http_get(port(), "/api/fixture/slow?ms=3000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(error_of(*r)["code"], "deadline_exceeded");
  EXPECT_LT(Clock::now() - began, 1000ms);
}

TEST_F(HttpServerTest, WatchdogNamesTheRouteThatBlockedItsLoop) {
  auto r = http_get(port(), "/api/fixture/block?ms=250");
  ASSERT_TRUE(r);
  EXPECT_TRUE(server_->process().wait_for_output("running GET /api/fixture/block", 2s))
      << server_->process().output();
  // A route answered at once (no coroutine) is named the same way.
  ASSERT_TRUE(http_get(port(), "/api/fixture/inline/1?ms=250"));
  EXPECT_TRUE(server_->process().wait_for_output("running GET /api/fixture/inline/{id}", 2s))
      << server_->process().output();
}

// Every family the issue asks for is in the exposition, and the counters move.
TEST_F(HttpServerTest, MetricsExpositionCarriesEveryFamily) {
  for (int i = 0; i < 3; ++i) http_get(port(), "/health/live");
  auto r = http_get(port(), "/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->header("content-type"), HasSubstr("text/plain; version=0.0.4"));
  std::map<std::string, std::string> types;
  std::map<std::string, double> samples;
  std::istringstream lines(r->body);
  std::string line;
  const std::regex type_line(R"(# TYPE (\w+) (\w+))");
  const std::regex sample_line(R"(([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) ([-+0-9.eE]+|NaN|\+Inf))");
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, type_line)) {
      types[m[1]] = m[2];
    } else if (!line.empty() && line[0] != '#') {
      ASSERT_TRUE(std::regex_match(line, m, sample_line)) << "not a sample: " << line;
      samples[m[1]] = std::stod(m[3]);
    }
  }
  EXPECT_EQ(types["http_requests_total"], "counter");
  EXPECT_EQ(types["http_request_duration_seconds"], "histogram");
  EXPECT_EQ(types["http_requests_in_flight"], "gauge");
  for (const char* family :
       {"netra_component_state", "netra_component_start_duration_seconds",
        "netra_component_start_attempts", "process_resident_memory_bytes", "process_open_fds",
        "process_cpu_seconds_total", "netra_build_info", "netra_circuit_breaker_state",
        "netra_pool_connections", "netra_pool_max_connections", "netra_db_acquire_wait_seconds",
        "netra_db_acquire_timeouts_total"}) {
    EXPECT_TRUE(types.count(family)) << family;
  }
  EXPECT_GE((samples[R"(http_requests_total{method="GET",route="GET /health/live",status="200"})"]),
            3);
  EXPECT_EQ((samples[R"(netra_component_state{component="api",state="ready"})"]), 1);
  EXPECT_EQ((samples[R"(netra_component_state{component="api",state="starting"})"]), 0);
  EXPECT_GT(samples["process_resident_memory_bytes"], 1e6);
  EXPECT_EQ((samples[R"(netra_circuit_breaker_state{breaker="database",state="closed"})"]), 1);
  // database.pool_max = 0: db::default_pool_max of the usable cores (2 per core plus 2, at most
  // 10).
  EXPECT_EQ((samples[R"(netra_pool_max_connections{pool="database"})"]),
            std::min<size_t>(10, 2 * netra::core::usable_cores() + 2));
  EXPECT_GE(samples["netra_db_acquire_wait_seconds_count"], 1)
      << "migrations and heartbeats acquire";
  EXPECT_GT(samples["process_open_fds"], 3);
}

TEST(HttpLimits, ConnectionsBeyondTheMaximumGet503AndClose) {
  FixtureServer server("http", {"--set", "server.max_connections=2"});
  ASSERT_TRUE(server.wait_until_serving());
  TestHttpClient a("127.0.0.1", server.port());
  TestHttpClient b("127.0.0.1", server.port());
  ASSERT_EQ(a.get("/health/live")->status, 200);
  ASSERT_EQ(b.get("/health/live")->status, 200);
  TestHttpClient c("127.0.0.1", server.port());
  auto r = c.read_response(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(error_of(*r)["code"], "too_many_connections");
  EXPECT_TRUE(c.closed_within(1s));
  EXPECT_EQ(a.get("/health/live")->status, 200) << "the first two keep working";
}

TEST(HttpListener, ServesIpv6AndIpv4OnTheWildcardAddress) {
  FixtureServer server("http", {"--set", "server.host=::"});
  ASSERT_TRUE(server.wait_until_serving());
  TestHttpClient v6("::1", server.port());
  EXPECT_EQ(v6.get("/health/live")->status, 200);
  TestHttpClient v4("127.0.0.1", server.port());
  EXPECT_EQ(v4.get("/health/live")->status, 200);
}

TEST(HttpListener, PortInUseExitsWith3NamingTheAddress) {
  FixtureServer first("http");
  auto r =
      run_process({NETRA_FIXTURE_BIN, "serve", "--log-format", "text", "--set",
                   "server.host=127.0.0.1", "--set", "server.port=" + std::to_string(first.port())},
                  {{"FIXTURE_SCENARIO", "http"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}

}  // namespace
}  // namespace netra::testing
