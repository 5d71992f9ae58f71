// What only the ClickHouse backend has: literals read back by a real server (NUL included, which
// the stores refuse), retention by dropping monthly partitions, and a server that is not there.
// Skipped without TEST_CLICKHOUSE_URL (scripts/clickhouse-test-server).
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "analytics/clickhouse_literal.hpp"
#include "analytics_store_fixture.hpp"
#include "support/unused_port.hpp"
#include "support/test_servers.hpp"

namespace netra::analytics {
namespace {

class ClickHouseStoreTest : public AnalyticsStoreTest {
 protected:
  void SetUp() override {
    if (!netra::testing::have_test_server("TEST_CLICKHOUSE_URL")) {
      GTEST_SKIP() << "TEST_CLICKHOUSE_URL is not set (scripts/clickhouse-test-server)";
    }
    AnalyticsStoreTest::SetUp();
  }

  // What the server makes of a literal: SELECT it and read it back as a JSON string.
  std::string select_literal(const ClickHouseLiteral& literal) {
    auto sql = render("SELECT ? AS v FORMAT JSON", {literal});
    auto answer = run(raw_->execute(std::move(sql), "select literal", deadline()));
    if (!answer) throw std::runtime_error(answer.error().message);
    return nlohmann::json::parse(answer.value()).at("data").at(0).at("v").get<std::string>();
  }
};

TEST_P(ClickHouseStoreTest, TheServerReadsEveryLiteralBackUnchanged) {
  const std::vector<std::string> values = {"",
                                           "it's",
                                           "back\\slash",
                                           "\\'",
                                           "\\\\''",
                                           std::string("nul\0inside", 10),
                                           std::string("\0"
                                                       "1",
                                                       2),  // NUL before a digit
                                           std::string("\0", 1),
                                           "l1\nl2\r\n",
                                           "\t\b\f",
                                           "\x01\x02\x1f\x7f",
                                           "日本語 — ünïcødé 🎉",
                                           "?",
                                           "' OR 1=1 --",
                                           "\\x41"};
  for (const auto& value : values) {
    EXPECT_EQ(select_literal(ClickHouseLiteral::string(value)), value)
        << ClickHouseLiteral::string(value).sql();
  }
}

TEST_P(ClickHouseStoreTest, NumbersAreReadAsNumbers) {
  auto sql = render("SELECT toTypeName(?) AS a, toTypeName(?) AS b, ? + ? AS c FORMAT JSON",
                    {ClickHouseLiteral::integer(-42), ClickHouseLiteral::real(0.1).value(),
                     ClickHouseLiteral::real(1e-7).value(), ClickHouseLiteral::integer(1)});
  auto answer = run(raw_->execute(std::move(sql), "select numbers", deadline()));
  ASSERT_TRUE(answer) << answer.error().message;
  const auto row = nlohmann::json::parse(answer.value()).at("data").at(0);
  EXPECT_EQ(row.at("a"), "Int8");
  EXPECT_EQ(row.at("b"), "Float64");
  EXPECT_DOUBLE_EQ(row.at("c").get<double>(), 1.0000001);
}

TEST_P(ClickHouseStoreTest, RetentionDropsOnlyMonthsOlderThanTheTtl) {
  const int64_t now = 1'717'200'000'000;  // 2024-06-01
  WorkloadEvent e;
  e.workload_id = "w";
  e.provider = "p";
  e.model = "m";
  std::vector<WorkloadEvent> events;
  for (int64_t at : {now - 200 * 86'400'000LL, now - 120 * 86'400'000LL, now - 10 * 86'400'000LL}) {
    e.timestamp_ms = at;
    events.push_back(e);
  }
  ASSERT_TRUE(run(store_->insert("usr_alice", events, deadline())));
  // ttl 90 days: the cutoff is 2024-03-03, so November 2023 and January/February 2024 go; the
  // May event stays.
  auto dropped = run(clickhouse_->drop_expired_partitions(now, deadline()));
  ASSERT_TRUE(dropped) << dropped.error().message;
  EXPECT_THAT(dropped.value(), ::testing::UnorderedElementsAre("202311", "202402"));
  auto left = run(store_->events("usr_alice", TimeRange{0, now}, 100, deadline()));
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left.value()[0].timestamp_ms, now - 10 * 86'400'000LL);
  auto again = run(clickhouse_->drop_expired_partitions(now, deadline()));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_P(ClickHouseStoreTest, EnsureSchemaIsIdempotent) {
  auto again = run(clickhouse_->ensure_schema(deadline()));
  EXPECT_TRUE(again) << again.error().message;
}

TEST_P(ClickHouseStoreTest, AWrongPasswordIsAnErrorThatSaysSo) {
  auto options = clickhouse_options(database_);
  options.password = "wrong";
  ClickHouseStore store(options, client_);
  auto refused = run(store.summary("usr_a", TimeRange{0, 1000}, GroupBy::model, deadline()));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("answered"));
  EXPECT_THAT(refused.error().message, ::testing::Not(::testing::HasSubstr("wrong")));
}

// Cases that need no ClickHouse: they run everywhere (on the "fallback" set-up, which has an
// HTTP client and no server), never skipped.
class ClickHouseStoreWithoutAServer : public AnalyticsStoreTest {};

TEST_P(ClickHouseStoreWithoutAServer, AServerThatIsNotThereOpensTheBreaker) {
  auto options = clickhouse_options("netra_nowhere");
  options.url = "http://127.0.0.1:" + std::to_string(testing::unused_port());
  options.breaker.minimum_calls = 3;
  ClickHouseStore store(options, client_);
  for (int i = 0; i < 3; ++i) {
    auto failed = run(store.summary("usr_a", TimeRange{0, 1000}, GroupBy::model, deadline()));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, AnalyticsErrorCode::unavailable) << failed.error().message;
  }
  EXPECT_EQ(store.breaker().state(), core::BreakerState::open);
  auto fast = run(store.summary("usr_a", TimeRange{0, 1000}, GroupBy::model, deadline()));
  ASSERT_FALSE(fast);
  EXPECT_THAT(fast.error().message, ::testing::HasSubstr("circuit breaker is open"));
}

TEST_P(ClickHouseStoreWithoutAServer, BadOptionsNameTheirKey) {
  auto valid = [](std::string database) {
    auto options = clickhouse_options(std::move(database));
    options.url = "http://127.0.0.1:8123";
    return options;
  };
  EXPECT_NO_THROW(ClickHouseStore(valid("ok"), client_));
  auto options = valid("bad-name");
  EXPECT_THROW(ClickHouseStore(options, client_), std::invalid_argument);
  options = valid("ok");
  options.url = "ftp://example.com";
  EXPECT_THROW(ClickHouseStore(options, client_), std::invalid_argument);
  options = valid("ok");
  options.ttl_days = 0;
  EXPECT_THROW(ClickHouseStore(options, client_), std::invalid_argument);
}

TEST(ClickHouseDates, UtcDatesAndMonths) {
  EXPECT_EQ(utc_date(0), "1970-01-01");
  EXPECT_EQ(utc_date(1'717'199'999'999), "2024-05-31");
  EXPECT_EQ(utc_date(1'717'200'000'000), "2024-06-01");
  EXPECT_EQ(utc_year_month(1'717'200'000'000), 202406);
  EXPECT_EQ(utc_year_month(1'709'251'199'999), 202402);  // 2024-02-29 23:59:59.999 (leap day)
}

INSTANTIATE_TEST_SUITE_P(ClickHouse, ClickHouseStoreTest, ::testing::Values("clickhouse"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(NoServer, ClickHouseStoreWithoutAServer, ::testing::Values("fallback"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace netra::analytics
