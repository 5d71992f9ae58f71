// The fault matrix: the disk of the SQLite file full (a small tmpfs). Writes are refused with a
// clear error (507 storage_full, not a 500 or a generic 503), reads and readiness go on, nothing
// acknowledged is lost, and writes work again once space is freed — without a restart. Mounting
// the tmpfs needs root, which CI has; elsewhere the case is skipped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "faults/workload_batches.hpp"
#include "support/http_client.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kEvents = 1000;  // per batch: small steps towards the full disk

class SqliteDiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::mount("tmpfs", disk_.path().c_str(), "tmpfs", 0, "size=6m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(disk_.path().c_str(), MNT_DETACH);
  }
  bool grow(const char* size) {
    const std::string options = std::string("size=") + size + ",mode=0700";
    return ::mount("tmpfs", disk_.path().c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }
  std::map<std::string, std::string> env() const {
    return {{"NETRA_DATABASE_URL", "sqlite:" + disk_.file("netra.db")}};
  }

  TempDir disk_;
  bool mounted_ = false;
};

int post_batch(NetraServer& server, const std::string& token, int batch, json* body = nullptr) {
  TestHttpClient client("127.0.0.1", server.port());
  if (!client.send(ingest_request(batch_body(batch, kEvents), token))) return -1;
  const auto answer = client.read_response(30s);
  if (!answer) return 0;
  if (body) *body = json::parse(answer->body, nullptr, false);
  return answer->status;
}

TEST_F(SqliteDiskFull, WritesAreRefusedClearlyReadsGoOnNothingAcknowledgedIsLostAndItRecovers) {
  const std::string email = "full@example.com";
  int acknowledged = 0;
  {
    NetraServer server({}, env());
    const auto token = server.sign_in(email);
    server.expect(201, "POST", "/api/threads", token, json{{"title", "kept"}}.dump());

    // Fill the disk one batch at a time.
    int status = 200;
    json refused;
    for (int batch = 0; batch < 200 && status == 200; ++batch) {
      status = post_batch(server, token, batch, &refused);
      if (status == 200) ++acknowledged;
    }
    ASSERT_GT(acknowledged, 0) << "the disk was full before the first batch";
    EXPECT_EQ(status, 507) << refused.dump();
    EXPECT_EQ(refused["error"]["code"], "storage_full") << refused.dump();
    // Any write is refused the same way; reads, liveness and readiness go on.
    const auto thread = server.call("POST", "/api/threads", json{{"title", "t"}}.dump(), token);
    ASSERT_TRUE(thread.has_value());
    EXPECT_EQ(thread->status, 507) << thread->body;
    const auto threads = server.expect(200, "GET", "/api/threads", token);
    EXPECT_EQ(threads.size(), 1u);
    EXPECT_EQ(http_get(server.port(), "/health/live")->status, 200);
    EXPECT_EQ(http_get(server.port(), "/health/ready")->status, 200)
        << "a full disk is not an unavailable database: reads still serve";

    // Space freed: the next write is stored, with no restart.
    ASSERT_TRUE(grow("256m"));
    EXPECT_EQ(post_batch(server, token, 1000), 200) << server.process().output();
    ++acknowledged;
    const auto stored = stored_events(server, token, kEvents);
    EXPECT_EQ(stored.total, acknowledged * kEvents) << stored.per_workload;
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(20s), 0);
  }
  // And after a restart, everything acknowledged is still there, each batch whole.
  NetraServer restarted({}, env());
  const auto stored = stored_events(restarted, restarted.sign_in(email), kEvents);
  EXPECT_EQ(stored.total, acknowledged * kEvents) << stored.per_workload;
  EXPECT_TRUE(stored.every_batch_whole) << stored.per_workload;
}

}  // namespace
}  // namespace netra::testing
