// A request body is read only once the server knows who sends it and has room for it: against
// the real `netra serve`, a client that sends a header announcing megabytes gets its answer
// before sending one byte of the body (401 unknown, 429 over the rate or the instance's share),
// and a body built to take far more memory than its size is refused while it is parsed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "support/http_client.hpp"
#include "support/netra_server.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr size_t kAnnounced = 16 * 1024 * 1024;  // the ingest route's largest body

// A connection that has sent the header of an ingest request announcing `length` bytes, and
// `sent` bytes of its body.
std::unique_ptr<TestHttpClient> announce(const NetraServer& server, const std::string& token,
                                         size_t length, const std::string& sent = "") {
  auto client = std::make_unique<TestHttpClient>("127.0.0.1", server.port());
  std::string head =
      "POST /api/workloads/events HTTP/1.1\r\nHost: t\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(length) + "\r\n";
  if (!token.empty()) head += "Authorization: Bearer " + token + "\r\n";
  client->send(head + "\r\n" + sent);
  return client;
}

// The server's peak resident memory (VmHWM), in KiB.
long peak_memory_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(BodyAdmission, AnUnknownCallerIsRefusedBeforeItsBodyIsRead) {
  NetraServer server;
  for (const std::string& token : {std::string(), std::string("not-a-token")}) {
    auto client = announce(server, token, kAnnounced);
    const auto answer = client->read_response(5s);
    ASSERT_TRUE(answer) << "no answer until the body came: the body was being read first";
    EXPECT_EQ(answer->status, 401);
    EXPECT_TRUE(client->closed_within(5s)) << "the unread body cannot be skipped: it closes";
  }
}

TEST(BodyAdmission, ACallerOverTheRateIsRefusedBeforeItsBodyIsRead) {
  NetraServer server(
      {"analytics.ingest_events_per_second=1", "analytics.ingest_burst_events=10000"});
  const auto token = server.sign_in("rate@example.com");
  // A batch of 10,000 events takes the whole burst...
  json events = json::array();
  for (int i = 0; i < 10000; ++i) {
    events.push_back({{"timestamp", 1'790'000'000'000 + i},
                      {"workload_id", "w"},
                      {"model", "gpt-4o"},
                      {"provider", "openai"},
                      {"input_tokens", 10},
                      {"output_tokens", 5},
                      {"latency_ms", 100},
                      {"cost_usd", 0.001},
                      {"status", "ok"}});
  }
  server.expect(200, "POST", "/api/workloads/events", token, events.dump());
  // ...so the next body is refused from its header.
  auto client = announce(server, token, kAnnounced);
  const auto answer = client->read_response(5s);
  ASSERT_TRUE(answer) << "no answer until the body came";
  EXPECT_EQ(answer->status, 429);
  EXPECT_THAT(answer->body, HasSubstr("rate_limited"));
  EXPECT_FALSE(answer->header("retry-after").empty());
}

TEST(BodyAdmission, BodiesBeingReadTakeAShareOfTheInstanceNoMore) {
  // Room for two 16 MiB bodies at once: a third is refused from its header while two are read.
  NetraServer server({"analytics.ingest_body_bytes=" + std::to_string(2 * kAnnounced)});
  const auto token = server.sign_in("share@example.com");
  auto first = announce(server, token, kAnnounced, "[");
  auto second = announce(server, token, kAnnounced, "[");
  std::this_thread::sleep_for(1s);  // both admitted, their bodies being read
  auto third = announce(server, token, kAnnounced);
  const auto answer = third->read_response(5s);
  ASSERT_TRUE(answer) << "no answer until the body came";
  EXPECT_EQ(answer->status, 429);
  EXPECT_THAT(answer->body, HasSubstr("ingest_busy"));
  // The share comes back when a body is done with: the next one is read again.
  first.reset();
  second.reset();
  std::optional<TestResponse> small;
  for (int i = 0; i < 100; ++i) {  // the server notices the closed connections shortly
    small = server.call("POST", "/api/workloads/events", "[]", token);
    if (small && small->status != 429) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 400) << "read and judged on its content again: " << small->body;
}

TEST(BodyAdmission, ABodyBuiltToTakeMemoryIsStoppedWhileParsed) {
  NetraServer server;
  const auto token = server.sign_in("memory@example.com");
  const long before = peak_memory_kib(server.process().pid());
  // 15 MiB of empty objects: about five million of them, some 20 times its size once parsed.
  std::string objects = "[";
  while (objects.size() < 15 * 1024 * 1024) objects += "{},";
  objects.back() = ']';
  const auto many = server.call("POST", "/api/workloads/events", objects, token);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->status, 400);
  EXPECT_THAT(many->body, HasSubstr("a batch holds 1 to 10000 events"));
  // Nested arrays, and one event whose tags hold a million values.
  const auto deep = server.call("POST", "/api/workloads/events",
                                std::string(1000, '[') + std::string(1000, ']'), token);
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  EXPECT_THAT(deep->body, HasSubstr("nested deeper than"));
  std::string wide = R"([{"tags":[)";
  for (int i = 0; i < 1'000'000; ++i) wide += "1,";
  wide.back() = ']';
  wide += "}]";
  const auto values = server.call("POST", "/api/workloads/events", wide, token);
  ASSERT_TRUE(values);
  EXPECT_EQ(values->status, 400);
  EXPECT_THAT(values->body, HasSubstr("JSON values in one batch"));
  const long after = peak_memory_kib(server.process().pid());
  // Without the bounds the five million objects alone took hundreds of megabytes.
  EXPECT_LT(after - before, 150 * 1024)
      << "peak memory grew from " << before << " to " << after << " KiB";
}

}  // namespace
}  // namespace netra::testing
