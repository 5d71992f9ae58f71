// The fault matrix: SIGKILL while a batch of workload events is being stored (the embedded store,
// the default). After a restart each batch is there whole or not at all, and a batch that was
// acknowledged before the kill is there.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/http_client.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kBatch = 10'000;  // analytics::kMaxBatchEvents: the longest insert there is
const std::string kEmail = "killed@example.com";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A batch whose events are all distinct (a `batch` number in the workload id).
std::string batch_body(int batch) {
  json events = json::array();
  const int64_t base = now_ms() - 3'600'000;
  for (int i = 0; i < kBatch; ++i) {
    events.push_back({{"timestamp", base + i},
                      {"workload_id", "w-" + std::to_string(batch)},
                      {"provider", "openai"},
                      {"model", "gpt-4o-mini"},
                      {"input_tokens", 100 + i % 50},
                      {"output_tokens", 10},
                      {"latency_ms", 200 + i % 300},
                      {"cost_usd", 0.001}});
  }
  return events.dump();
}

std::string post_request(const std::string& body, const std::string& token) {
  return "POST /api/workloads/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

void kill_now(NetraServer& server) {
  server.process().signal(SIGKILL);
  server.process().wait(10s);
}

// Every event of the user, counted by the store after a restart.
int64_t stored_events(NetraServer& server, const std::string& token) {
  const auto summary = server.expect(200, "GET", "/api/workloads/summary?group_by=workload", token);
  int64_t total = 0;
  for (const auto& group : summary["groups"]) total += group["requests"].get<int64_t>();
  return total;
}

TEST(KilledDuringIngest, EachBatchIsStoredWholeOrNotAtAllAndAnAcknowledgedOneStays) {
  TempDir data;
  const std::map<std::string, std::string> env = {
      {"NETRA_DATABASE_URL", "sqlite:" + data.file("netra.db")}};

  // A batch acknowledged, then the process killed: it must be there after the restart. How long
  // it took sets when the later batches are cut off.
  std::chrono::milliseconds one_batch{0};
  {
    NetraServer server({}, env);
    const auto token = server.sign_in(kEmail);
    TestHttpClient client("127.0.0.1", server.port());
    const auto request = post_request(batch_body(0), token);
    const auto began = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.send(request));
    const auto answer = client.read_response(30s);
    one_batch = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    ASSERT_TRUE(answer.has_value());
    ASSERT_EQ(answer->status, 200) << answer->body;
    kill_now(server);
  }

  // Batches cut off by SIGKILL at different moments after the whole body was sent — while it is
  // parsed, during the insert, around its commit, after — as shares of the time one took.
  int batch = 1;
  for (const double share : {0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.2}) {
    const auto delay = std::chrono::milliseconds(static_cast<int64_t>(share * one_batch.count()));
    NetraServer server({}, env);
    const auto token = server.sign_in(kEmail);
    TestHttpClient client("127.0.0.1", server.port());
    ASSERT_TRUE(client.send(post_request(batch_body(batch++), token)));
    std::this_thread::sleep_for(delay);
    kill_now(server);
  }

  NetraServer server({}, env);
  const auto token = server.sign_in(kEmail);
  const auto stored = stored_events(server, token);
  std::cout << "one batch took " << one_batch.count() << " ms; " << stored / kBatch << " of "
            << batch << " batches stored" << std::endl;
  EXPECT_GE(stored, kBatch) << "the acknowledged batch was lost";
  EXPECT_EQ(stored % kBatch, 0) << stored << " events: a batch was stored in part";
  const auto summary = server.expect(200, "GET", "/api/workloads/summary?group_by=workload", token);
  for (const auto& group : summary["groups"]) {
    EXPECT_EQ(group["requests"], kBatch) << group.dump();
  }
}

}  // namespace
}  // namespace netra::testing
