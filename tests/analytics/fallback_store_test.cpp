// FallbackAnalyticsStore: ClickHouse while it is live and answers; the embedded store when it is
// not started, cannot be reached, or (for reads) too slow — and every answer says which served.
// A write that timed out is not sent again elsewhere: it may have landed.
#include "analytics/fallback_store.hpp"

#include <gtest/gtest.h>

#include "analytics_store_fixture.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/test_servers.hpp"

namespace netra::analytics {
namespace {

using namespace std::chrono_literals;

WorkloadEvent event_at(int64_t at) {
  WorkloadEvent e;
  e.timestamp_ms = at;
  e.workload_id = "w";
  e.provider = "openai";
  e.model = "gpt-4o";
  e.latency_ms = 100;
  return e;
}

constexpr int64_t kAt = 1'717'200'000'000;
constexpr TimeRange kRange{kAt - 1000, kAt + 1000};

// The embedded store on SQLite, beside a ClickHouse at `url`.
class FallbackStoreTest : public AnalyticsStoreTest {
 protected:
  void SetUp() override { AnalyticsStoreTest::SetUp(); }

  std::shared_ptr<FallbackAnalyticsStore> make(const std::string& url, bool live,
                                               std::chrono::milliseconds timeout = 5s) {
    if (!client_) client_ = std::make_shared<net::HttpClient>();
    ClickHouseOptions options = clickhouse_options(database_name());
    options.url = url;
    options.breaker.minimum_calls = 2;
    auto clickhouse = url.empty() ? nullptr : std::make_shared<ClickHouseStore>(options, client_);
    embedded_ = std::make_shared<EmbeddedAnalyticsStore>(*db_);
    clickhouse_store_ = clickhouse;
    auto store = std::make_shared<FallbackAnalyticsStore>(clickhouse, embedded_, timeout);
    store->set_clickhouse_live(live);
    return store;
  }
  std::string database_name() {
    if (database_.empty()) database_ = "netra_fallback_" + std::to_string(std::random_device()());
    return database_;
  }
  size_t embedded_count() {
    auto events = run(embedded_->events("usr_a", kRange, 100, deadline()));
    EXPECT_TRUE(events) << events.error().message;
    return events ? events->size() : 0;
  }

  std::shared_ptr<EmbeddedAnalyticsStore> embedded_;
  std::shared_ptr<ClickHouseStore> clickhouse_store_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, FallbackStoreTest, ::testing::Values("sqlite"));

TEST_P(FallbackStoreTest, WithoutClickHouseTheEmbeddedStoreServes) {
  auto store = make("", true);
  EXPECT_EQ(store->backend(), "embedded");
  auto served = run(store->insert_served("usr_a", {event_at(kAt)}, deadline()));
  ASSERT_TRUE(served.result) << served.result.error().message;
  EXPECT_EQ(served.backend, "embedded");
  EXPECT_EQ(embedded_count(), 1u);
}

TEST_P(FallbackStoreTest, UntilClickHouseIsLiveTheEmbeddedStoreServes) {
  testing::MisbehavingPeer never_called([](testing::PeerConnection&, size_t) {});
  auto store = make(never_called.url(), /*live=*/false);
  EXPECT_EQ(store->backend(), "embedded");
  auto served = run(store->summary_served("usr_a", kRange, GroupBy::model, deadline()));
  ASSERT_TRUE(served.result);
  EXPECT_EQ(served.backend, "embedded");
  EXPECT_EQ(never_called.connections(), 0u);
}

TEST_P(FallbackStoreTest, AnUnreachableClickHouseSendsReadsAndWritesToTheEmbeddedStore) {
  auto store = make("http://127.0.0.1:" + std::to_string(testing::closed_port()), true);
  EXPECT_EQ(store->backend(), "clickhouse");
  for (int i = 0; i < 3; ++i) {
    auto served = run(store->insert_served("usr_a", {event_at(kAt)}, deadline()));
    ASSERT_TRUE(served.result) << served.result.error().message;
    EXPECT_EQ(served.backend, "embedded");
  }
  EXPECT_EQ(embedded_count(), 3u);
  EXPECT_EQ(clickhouse_store_->breaker().state(), core::BreakerState::open);
  EXPECT_EQ(store->backend(), "embedded") << "the open breaker says where the next call goes";
  auto summary = run(store->summary_served("usr_a", kRange, GroupBy::model, deadline()));
  ASSERT_TRUE(summary.result);
  EXPECT_EQ(summary.backend, "embedded");
  ASSERT_EQ(summary.result->size(), 1u);
  EXPECT_EQ(summary.result.value()[0].requests, 3);
}

TEST_P(FallbackStoreTest, ASlowReadFallsBackButASlowWriteIsNotWrittenTwice) {
  testing::MisbehavingPeer silent([](testing::PeerConnection& c, size_t) { c.stall(3s); });
  auto store = make(silent.url(), true, /*timeout=*/300ms);
  auto read = run(store->summary_served("usr_a", kRange, GroupBy::model, deadline()));
  ASSERT_TRUE(read.result) << read.result.error().message;
  EXPECT_EQ(read.backend, "embedded");
  auto write = run(store->insert_served("usr_a", {event_at(kAt)}, deadline()));
  ASSERT_FALSE(write.result);
  EXPECT_EQ(write.result.error().code, AnalyticsErrorCode::timeout);
  EXPECT_EQ(write.backend, "clickhouse");
  EXPECT_EQ(embedded_count(), 0u);
}

TEST_P(FallbackStoreTest, ABadBatchReachesNeitherStore) {
  auto store = make("http://127.0.0.1:" + std::to_string(testing::closed_port()), true);
  auto bad = event_at(kAt);
  bad.model.clear();
  auto served = run(store->insert_served("usr_a", {event_at(kAt), bad}, deadline()));
  ASSERT_FALSE(served.result);
  EXPECT_EQ(served.result.error().code, AnalyticsErrorCode::invalid);
  ASSERT_EQ(served.result.error().problems.size(), 1u);
  EXPECT_EQ(served.result.error().problems[0].index, 1u);
  EXPECT_EQ(clickhouse_store_->breaker().snapshot().calls, 0u);
}

TEST_P(FallbackStoreTest, ALiveClickHouseServesAndTheEmbeddedStoreStaysEmpty) {
  if (!testing::have_test_server("TEST_CLICKHOUSE_URL"))
    GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)";
  const auto url = testing::test_server("TEST_CLICKHOUSE_URL");
  if (url.empty()) return;
  auto store = make(url, true);
  ASSERT_TRUE(run(clickhouse_store_->ensure_schema(deadline())));
  auto served = run(store->insert_served("usr_a", {event_at(kAt), event_at(kAt + 1)}, deadline()));
  ASSERT_TRUE(served.result) << served.result.error().message;
  EXPECT_EQ(served.backend, "clickhouse");
  auto events = run(store->events("usr_a", kRange, 10, deadline()));
  ASSERT_TRUE(events);
  EXPECT_EQ(events->size(), 2u);
  EXPECT_EQ(embedded_count(), 0u);
  raw_ = std::make_unique<detail::ClickHouseHttp>(client_, url, env_or("TEST_CLICKHOUSE_USER"),
                                                  env_or("TEST_CLICKHOUSE_PASSWORD"),
                                                  core::BreakerOptions{});
  clickhouse_ = clickhouse_store_.get();  // TearDown drops the test database
}

}  // namespace
}  // namespace netra::analytics
