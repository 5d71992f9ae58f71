// OutageReplay: the events the embedded store buffered while ClickHouse was down move into
// ClickHouse, every field intact and each with its own user, in batches; the buffer is empty
// afterwards; a failure midway, or a stop asked for between batches, leaves the rest buffered and
// loses nothing. The buffer runs on
// SQLite (and PostgreSQL with TEST_POSTGRES_URL); ClickHouse is the test server
// (TEST_CLICKHOUSE_URL) or, for the failures, a peer that misbehaves on purpose.
#include "analytics/outage_replay.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <thread>

#include "analytics_store_fixture.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/test_servers.hpp"

namespace netra::analytics {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kAt = 1'717'200'000'000;
constexpr TimeRange kRange{kAt - 1000, kAt + 100'000'000};

WorkloadEvent event_at(int64_t at, int i) {
  WorkloadEvent e;
  e.timestamp_ms = at;
  e.workload_id = "w" + std::to_string(i % 3);
  e.provider = "openai";
  e.model = i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini";
  e.input_tokens = 100 + i;
  e.output_tokens = 10 + i;
  e.latency_ms = 50 + i;
  e.cost_usd = 0.125 * (i + 1);  // exact in binary: events are compared with ==
  return e;
}

// Every field that is not the default, so a field dropped on the way shows.
WorkloadEvent full_event(int64_t at, int i) {
  auto e = event_at(at, i);
  e.event_id = "evt_client_" + std::to_string(i);
  e.status = EventStatus::error;
  e.error_type = "rate_limit";
  e.prompt_hash = "sha256:ab" + std::to_string(i);
  e.cached = true;
  e.tags = {{"team", "search"}, {"env", "prod \"eu\"\n"}, {"ünï", "cödé"}};
  return e;
}

class OutageReplayTest : public AnalyticsStoreTest {
 protected:
  void SetUp() override {
    AnalyticsStoreTest::SetUp();
    if (HasFatalFailure()) return;
    buffer_ = std::make_shared<EmbeddedAnalyticsStore>(*db_);
    client_ = std::make_shared<net::HttpClient>();
  }
  void TearDown() override {
    clickhouse_keep_.reset();  // its HTTP client goes with the fixture's, before the loops
    buffer_.reset();
    AnalyticsStoreTest::TearDown();
  }

  // The test server's ClickHouse in a database of its own (dropped by TearDown); nullptr and
  // skipped without TEST_CLICKHOUSE_URL.
  std::shared_ptr<ClickHouseStore> real_clickhouse() {
    database_ = "netra_replay_" + std::to_string(std::random_device()());
    auto options = clickhouse_options(database_);
    auto store = std::make_shared<ClickHouseStore>(options, client_, &offload_);
    auto created = run(store->ensure_schema(deadline()));
    EXPECT_TRUE(created) << created.error().message;
    raw_ = std::make_unique<detail::ClickHouseHttp>(client_, options.url, options.user,
                                                    options.password, core::BreakerOptions{});
    clickhouse_ = store.get();
    clickhouse_keep_ = store;
    return store;
  }
  std::shared_ptr<ClickHouseStore> clickhouse_at(const std::string& url) {
    auto options = clickhouse_options("netra_fake");
    options.url = url;
    return std::make_shared<ClickHouseStore>(options, client_, &offload_);
  }

  void buffer(const std::string& user, std::vector<WorkloadEvent> events) {
    auto stored = run(buffer_->insert(user, std::move(events), deadline()));
    ASSERT_TRUE(stored) << stored.error().message;
  }
  std::vector<WorkloadEvent> buffered(const std::string& user) {
    auto events = run(buffer_->events(user, kRange, kMaxReadLimit, deadline()));
    EXPECT_TRUE(events) << events.error().message;
    return events ? events.value() : std::vector<WorkloadEvent>{};
  }
  size_t buffered_rows() {
    auto oldest = run(buffer_->oldest(kMaxBatchEvents, deadline()));
    EXPECT_TRUE(oldest) << oldest.error().message;
    return oldest ? oldest->events.size() : 0;
  }
  std::vector<WorkloadEvent> in_clickhouse(ClickHouseStore& store, const std::string& user) {
    auto events = run(store.events(user, kRange, kMaxReadLimit, deadline()));
    EXPECT_TRUE(events) << events.error().message;
    return events ? events.value() : std::vector<WorkloadEvent>{};
  }

  static ReplayOptions options(size_t batch, std::chrono::milliseconds timeout = 30s) {
    ReplayOptions out;
    out.batch_events = batch;
    out.call_timeout = timeout;
    return out;
  }

  std::shared_ptr<EmbeddedAnalyticsStore> buffer_;
  std::shared_ptr<ClickHouseStore> clickhouse_keep_;
};

std::vector<std::string> buffer_backends() {
  std::vector<std::string> out{"sqlite"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  return out;
}

INSTANTIATE_TEST_SUITE_P(Buffer, OutageReplayTest, ::testing::ValuesIn(buffer_backends()));

#define REQUIRE_CLICKHOUSE()                                                           \
  if (!netra::testing::have_test_server("TEST_CLICKHOUSE_URL")) {                      \
    GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)"; \
  }

TEST_P(OutageReplayTest, BufferedEventsOfTwoUsersMoveWithEveryFieldIntact) {
  REQUIRE_CLICKHOUSE();
  auto clickhouse = real_clickhouse();
  std::vector<WorkloadEvent> a, b;
  for (int i = 0; i < 5; ++i) a.push_back(full_event(kAt + i, i));
  for (int i = 0; i < 3; ++i) b.push_back(i == 1 ? full_event(kAt + 10 + i, i) : event_at(kAt, i));
  buffer("usr_a", a);
  buffer("usr_b", b);
  const auto before_a = buffered("usr_a");
  const auto before_b = buffered("usr_b");
  ASSERT_EQ(before_a.size(), 5u);
  ASSERT_EQ(before_b.size(), 3u);

  OutageReplay replay(buffer_, clickhouse, options(10'000));
  auto counted = run(replay.count_buffered(deadline()));
  ASSERT_TRUE(counted) << counted.error().message;
  EXPECT_EQ(counted.value(), 8u);
  EXPECT_EQ(replay.buffered(), 8u);
  auto outcome = run(replay.drain());
  EXPECT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_TRUE(outcome.complete);
  EXPECT_EQ(outcome.moved, 8u);
  EXPECT_EQ(replay.moved_total(), 8u);
  EXPECT_EQ(replay.buffered(), 0u) << "an emptied buffer reads 0";

  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_a"), before_a) << "user, ids, tags and flags kept";
  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_b"), before_b);
  EXPECT_EQ(buffered_rows(), 0u) << "the buffer is empty afterwards";
  auto again = run(replay.drain());
  EXPECT_TRUE(again.complete);
  EXPECT_EQ(again.moved, 0u) << "nothing moves twice";
  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_a").size(), 5u);
}

TEST_P(OutageReplayTest, MoreThanOneBatchMovesAndRepeatedEventIdsAllArrive) {
  REQUIRE_CLICKHOUSE();
  auto clickhouse = real_clickhouse();
  // 12,000 events of two users in two batches of the default size, 10,000 (the last one short);
  // every event of usr_b carries the same client id, so only the rows' own ids tell them apart.
  for (int user = 0; user < 2; ++user) {
    std::vector<WorkloadEvent> events;
    for (int i = 0; i < 6000; ++i) {
      auto e = event_at(kAt + i * 7 + user, i);
      if (user == 1) e.event_id = "evt_same";
      events.push_back(std::move(e));
    }
    buffer(user == 0 ? "usr_a" : "usr_b", std::move(events));
  }
  OutageReplay replay(buffer_, clickhouse, ReplayOptions{});
  const auto began = std::chrono::steady_clock::now();
  auto outcome = run(replay.drain());
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_TRUE(outcome.complete);
  EXPECT_EQ(outcome.moved, 12'000u);
  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_a").size(), 6000u);
  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_b").size(), 6000u);
  EXPECT_EQ(buffered_rows(), 0u);
  std::cout << "moved 12,000 events in batches of 10,000 in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

// What a job's checkpoint answers between batches: records what was moved so far, and stops.
boost::asio::awaitable<bool> stop_after_batch(std::shared_ptr<std::vector<size_t>> seen,
                                              size_t moved) {
  seen->push_back(moved);
  co_return false;
}

TEST_P(OutageReplayTest, ADrainToldToStopBetweenBatchesLeavesTheRestBuffered) {
  REQUIRE_CLICKHOUSE();
  auto clickhouse = real_clickhouse();
  std::vector<WorkloadEvent> events;
  for (int i = 0; i < 250; ++i) events.push_back(event_at(kAt + i, i));
  buffer("usr_a", events);
  OutageReplay replay(buffer_, clickhouse, options(100));
  auto seen = std::make_shared<std::vector<size_t>>();
  auto outcome = run(replay.drain([seen](size_t moved) { return stop_after_batch(seen, moved); }));
  EXPECT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_TRUE(outcome.stopped);
  EXPECT_FALSE(outcome.complete);
  EXPECT_EQ(outcome.moved, 100u);
  EXPECT_EQ(*seen, std::vector<size_t>{100}) << "asked once, after the first batch";
  EXPECT_EQ(buffered_rows(), 150u);
  EXPECT_EQ(in_clickhouse(*clickhouse, "usr_a").size(), 100u);
  auto rest = run(replay.drain());
  EXPECT_TRUE(rest.complete);
  EXPECT_EQ(rest.moved, 150u) << "the next drain takes the rest";
}

// A peer standing in for a ClickHouse that takes one insert and then goes away: no real server
// can be stopped between two batches of one drain.
TEST_P(OutageReplayTest, AFailureMidwayLeavesTheRestBufferedAndLosesNothing) {
  testing::MisbehavingPeer takes_one_insert([](testing::PeerConnection& c, size_t index) {
    if (index == 0 && c.read_request()) c.send(testing::ok_response("", /*close=*/true));
  });
  std::vector<WorkloadEvent> events;
  for (int i = 0; i < 250; ++i) events.push_back(event_at(kAt + i, i));
  buffer("usr_a", events);
  const auto before = buffered("usr_a");

  OutageReplay replay(buffer_, clickhouse_at(takes_one_insert.url()), options(100, 5s));
  ASSERT_TRUE(run(replay.count_buffered(deadline())));
  replay.note_buffered(5);  // as if 5 more were written after the count
  EXPECT_EQ(replay.buffered(), 255u);
  auto outcome = run(replay.drain());
  ASSERT_TRUE(outcome.error);
  EXPECT_FALSE(outcome.complete);
  EXPECT_EQ(outcome.moved, 100u);
  EXPECT_EQ(replay.buffered(), 155u) << "the moved batch leaves the gauge";
  ASSERT_TRUE(run(replay.count_buffered(deadline())));
  EXPECT_EQ(replay.buffered(), 150u) << "a count makes it exact again";
  ASSERT_GE(takes_one_insert.requests().size(), 1u);
  EXPECT_NE(takes_one_insert.requests()[0].find("INSERT INTO netra_fake.workload_events"),
            std::string::npos);
  // The acknowledged batch (the 100 oldest) is gone; the other 150 are still there, unchanged.
  const auto after = buffered("usr_a");
  ASSERT_EQ(after.size(), 150u);
  EXPECT_EQ(after, std::vector<WorkloadEvent>(before.begin() + 100, before.end()));
}

TEST_P(OutageReplayTest, AnUnreachableClickHouseMovesNothing) {
  buffer("usr_a", {event_at(kAt, 0), event_at(kAt + 1, 1)});
  buffer("usr_b", {event_at(kAt, 2)});
  auto url = "http://127.0.0.1:" + std::to_string(testing::closed_port());
  OutageReplay replay(buffer_, clickhouse_at(url), options(10'000, 5s));
  auto outcome = run(replay.drain());
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->code, AnalyticsErrorCode::unavailable);
  EXPECT_EQ(outcome.moved, 0u);
  EXPECT_EQ(buffered_rows(), 3u);
}

TEST_P(OutageReplayTest, OneDrainAtATime) {
  testing::MisbehavingPeer silent([](testing::PeerConnection& c, size_t) { c.stall(3s); });
  buffer("usr_a", {event_at(kAt, 0)});
  OutageReplay replay(buffer_, clickhouse_at(silent.url()), options(10'000, 1s));
  auto first = boost::asio::co_spawn(loops_.context(0), replay.drain(), boost::asio::use_future);
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (silent.connections() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  auto second = run(replay.drain());
  EXPECT_TRUE(second.already_running);
  EXPECT_EQ(second.moved, 0u);
  auto ended = first.get();
  ASSERT_TRUE(ended.error);
  EXPECT_EQ(ended.error->code, AnalyticsErrorCode::timeout);
  EXPECT_EQ(buffered_rows(), 1u) << "a timed-out insert leaves the row buffered";
  auto third = run(replay.drain());
  EXPECT_FALSE(third.already_running) << "the flag is cleared when a drain ends";
}

// Rows buffered before migration 0004 get ids of their own and can be moved like any other.
TEST_P(OutageReplayTest, Migration0004KeepsTheRowsAlreadyBufferedAndNumbersThem) {
  std::optional<testing::ScratchPostgresDatabase> scratch;
  db::DatabaseSettings settings;
  if (GetParam() == "postgres") {
    scratch.emplace("netra_pre0004");
    settings.url = scratch->url();
  } else {
    settings.url = "sqlite:" + dir_.file("pre0004.db");
  }
  const auto opened_old_db = db::open_database(settings, offload_);
  db::Database& old_db = *opened_old_db;
  std::vector<db::Migration> up_to_0003;
  for (const auto& m : db::embedded_migrations()) {
    if (m.version <= 3) up_to_0003.push_back(m);
  }
  ASSERT_TRUE(run(db::apply_migrations(old_db, up_to_0003, deadline())));
  for (int i = 0; i < 3; ++i) {
    // Two rows with the same event id, as a client may send.
    auto inserted = run(old_db.query(
        "INSERT INTO workload_events (user_id, event_id, timestamp_ms, workload_id, provider, "
        "model, input_tokens, output_tokens, latency_ms, cost_usd, status, error_type, "
        "prompt_hash, cached, tags) VALUES ($1, $2, $3, 'w', 'openai', 'gpt-4o', 1, 2, 3, 0.5, "
        "'ok', '', '', 0, '{\"k\":\"v\"}')",
        db::Params{std::string("usr_a"), std::string(i < 2 ? "evt_dup" : "evt_other"),
                   int64_t{kAt + 2 - i}},
        deadline()));
    ASSERT_TRUE(inserted) << inserted.error().message;
  }
  auto migrated = run(db::apply_migrations(old_db, db::embedded_migrations(), deadline()));
  ASSERT_TRUE(migrated) << migrated.error().message;
  EmbeddedAnalyticsStore store(old_db);
  auto oldest = run(store.oldest(10, deadline()));
  ASSERT_TRUE(oldest) << oldest.error().message;
  ASSERT_EQ(oldest->events.size(), 3u);
  EXPECT_EQ(oldest->entry_ids,
            (std::vector<std::string>{"wev_0004_1", "wev_0004_2", "wev_0004_3"}));
  EXPECT_EQ(oldest->events[0].event_id, "evt_other");
  EXPECT_EQ(oldest->events[2].tags.at("k"), "v");
  auto removed = run(store.remove({oldest->entry_ids[2]}, deadline()));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed.value(), 1u) << "one of the two rows of evt_dup, not both";
  auto stored = run(store.insert("usr_a", {event_at(kAt, 0)}, deadline()));
  ASSERT_TRUE(stored) << "new rows get their ids from the store";
  auto left = run(store.oldest(10, deadline()));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->events.size(), 3u);
  old_db.close_idle();
}

}  // namespace
}  // namespace netra::analytics
