// The fault matrix: SIGKILL while a batch of workload events is being stored (the embedded store,
// the default). After a restart each batch is there whole or not at all, and a batch that was
// acknowledged before the kill is there.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "faults/workload_batches.hpp"
#include "support/http_client.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;

const std::string kEmail = "killed@example.com";

void kill_now(NetraServer& server) {
  server.process().signal(SIGKILL);
  server.process().wait(10s);
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
    const auto request = ingest_request(full_batch_body(0), token);
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
    ASSERT_TRUE(client.send(ingest_request(full_batch_body(batch++), token)));
    std::this_thread::sleep_for(delay);
    kill_now(server);
  }

  NetraServer server({}, env);
  const auto token = server.sign_in(kEmail);
  const auto stored = stored_events(server, token);
  std::cout << "one batch took " << one_batch.count() << " ms; " << stored.total / kFullBatch
            << " of " << batch << " batches stored" << std::endl;
  EXPECT_GE(stored.total, kFullBatch) << "the acknowledged batch was lost";
  EXPECT_TRUE(stored.every_batch_whole) << "a batch was stored in part: " << stored.per_workload;
}

}  // namespace
}  // namespace netra::testing
