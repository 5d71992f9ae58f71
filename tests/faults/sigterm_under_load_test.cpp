// The fault matrix: SIGTERM while the real server is storing full ingest batches. Every request in
// flight when the signal came completes (and is stored: a restart counts it), readiness drops at
// once, and new connections are refused only after readiness dropped — the drain delay a load
// balancer needs to stop sending.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "faults/workload_batches.hpp"
#include "support/http_client.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kDrainDelay = 800ms;
const std::string kEmail = "sigterm@example.com";

// /health/ready on a fresh connection: its status, or nullopt when the connection is refused.
std::optional<int> readiness(int port) {
  try {
    TestHttpClient client("127.0.0.1", port);
    const auto answer = client.get("/health/ready");
    return answer ? answer->status : 0;
  } catch (const std::exception&) {
    return std::nullopt;  // refused: the listener is closed
  }
}

TEST(SigtermUnderLoad, InFlightBatchesCompleteAndConnectionsAreRefusedOnlyAfterReadinessDropped) {
  TempDir data;
  const std::map<std::string, std::string> env = {
      {"NETRA_DATABASE_URL", "sqlite:" + data.file("netra.db")}};
  constexpr int kInFlight = 3;
  {
    NetraServer server({"server.drain_delay_ms=" + std::to_string(kDrainDelay.count())}, env);
    const auto token = server.sign_in(kEmail);
    // The requests are built first (10,000 events each), then sent whole; the signal comes
    // once every body has been handed over, while the batches are parsed and stored.
    std::vector<std::string> requests;
    for (int batch = 0; batch < kInFlight; ++batch) {
      requests.push_back(ingest_request(full_batch_body(batch), token));
    }
    std::vector<std::promise<void>> sent(kInFlight);
    std::vector<std::future<TestResponse>> batches;
    for (int batch = 0; batch < kInFlight; ++batch) {
      batches.push_back(std::async(std::launch::async, [&, batch] {
        TestHttpClient client("127.0.0.1", server.port());
        const bool whole = client.send(requests[batch]);
        sent[batch].set_value();
        if (!whole)
          return TestResponse{
              .status = -1, .headers = {}, .body = "the request was not sent whole"};
        return client.read_response(30s).value_or(
            TestResponse{.status = 0, .headers = {}, .body = "no answer"});
      }));
    }
    for (auto& each : sent) each.get_future().wait();
    const auto signalled = Clock::now();
    server.process().signal(SIGTERM);

    // Readiness, as a load balancer's check sees it, until connections are refused.
    std::optional<Clock::time_point> not_ready, refused;
    while (!refused && Clock::now() - signalled < 15s) {
      const auto status = readiness(server.port());
      if (!status) {
        refused = Clock::now();
      } else if (*status == 503 && !not_ready) {
        not_ready = Clock::now();
      } else if (*status == 200) {
        EXPECT_FALSE(not_ready) << "ready again after it had dropped";
      }
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(not_ready) << "readiness never dropped: " << server.process().output();
    ASSERT_TRUE(refused) << "connections were never refused";
    EXPECT_LT(*not_ready - signalled, 500ms) << "readiness dropped late";
    EXPECT_GE(*refused - *not_ready, kDrainDelay - 100ms)
        << "connections were refused before the drain delay had passed";
    for (auto& batch : batches) {
      ASSERT_EQ(batch.wait_for(30s), std::future_status::ready);
      const auto answer = batch.get();
      EXPECT_EQ(answer.status, 200) << "a batch in flight at SIGTERM failed: " << answer.body;
    }
    EXPECT_EQ(server.process().wait(20s), 0) << server.process().output();
  }
  NetraServer restarted({}, env);
  const auto stored = stored_events(restarted, restarted.sign_in(kEmail));
  EXPECT_EQ(stored.total, kInFlight * kFullBatch) << stored.per_workload;
}

}  // namespace
}  // namespace netra::testing
