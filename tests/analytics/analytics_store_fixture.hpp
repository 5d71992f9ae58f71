// The fixture of the analytics store suite: one AnalyticsStore per test on each backend the
// environment provides — the embedded store on a SQLite file of its own, on a scratch PostgreSQL
// database (TEST_POSTGRES_URL), and ClickHouse in a database of its own on the test server
// (TEST_CLICKHOUSE_URL, scripts/clickhouse-test-server), dropped afterwards; and that server over
// https:// (TEST_CLICKHOUSE_HTTPS_URL).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <random>

#include "analytics/clickhouse_store.hpp"
#include "analytics/detail/clickhouse_http.hpp"
#include "analytics/embedded_store.hpp"
#include "analytics/fallback_store.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"
#include "net/http_client.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/run_awaitable.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"

namespace netra::analytics {

inline std::string env_or(const char* name, std::string fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// "fallback": the embedded store on SQLite behind a FallbackAnalyticsStore whose ClickHouse
// cannot be reached, so that every call takes the fallback path.
inline std::vector<std::string> backends() {
  std::vector<std::string> out{"sqlite", "fallback"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  if (netra::testing::have_test_server("TEST_CLICKHOUSE_URL")) out.push_back("clickhouse");
  // The same server through its HTTPS port, the client trusting the script's authority.
  if (netra::testing::have_test_server("TEST_CLICKHOUSE_HTTPS_URL"))
    out.push_back("clickhouse_tls");
  return out;
}

class AnalyticsStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    loops_.start();
    if (GetParam() == "clickhouse" || GetParam() == "clickhouse_tls") {
      set_up_clickhouse(GetParam() == "clickhouse_tls");
      return;
    }
    db::DatabaseSettings settings;
    settings.pool.max_size = 4;
    if (GetParam() == "sqlite" || GetParam() == "fallback") {
      settings.url = "sqlite:" + dir_.file("analytics.db");
    } else {
      scratch_.emplace("netra_analytics");
      settings.url = scratch_->url();
    }
    db_ = db::open_database(settings, offload_);
    auto migrated = run(db::apply_migrations(*db_, db::embedded_migrations(), deadline()));
    ASSERT_TRUE(migrated) << migrated.error().message;
    if (GetParam() == "fallback") {
      client_ = std::make_shared<net::HttpClient>();
      auto options = clickhouse_options("netra_unreachable");
      options.url = "http://127.0.0.1:" + std::to_string(testing::closed_port());
      auto fallback = std::make_unique<FallbackAnalyticsStore>(
          std::make_shared<ClickHouseStore>(options, client_),
          std::make_shared<EmbeddedAnalyticsStore>(*db_), std::chrono::seconds(5));
      fallback->set_clickhouse_live(true);
      store_ = std::move(fallback);
      return;
    }
    store_ = std::make_unique<EmbeddedAnalyticsStore>(*db_);
  }

  void TearDown() override {
    if (clickhouse_ && raw_) {
      auto drop = "DROP DATABASE IF EXISTS " + database_;
      auto dropped = run(raw_->execute(std::move(drop), "drop test database", deadline()));
      EXPECT_TRUE(dropped) << dropped.error().message;
    }
    store_.reset();
    clickhouse_ = nullptr;
    raw_.reset();
    client_.reset();  // before the loops its sockets belong to
    if (db_) db_->close_idle();
    db_.reset();
    offload_.shutdown(std::chrono::seconds(1));
    loops_.stop(std::chrono::seconds(1));
  }

  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task),
                                  std::chrono::seconds(60));
  }
  static core::Deadline deadline() { return core::Deadline::after(std::chrono::seconds(30)); }

  static ClickHouseOptions clickhouse_options(std::string database) {
    ClickHouseOptions options;
    options.url = env_or("TEST_CLICKHOUSE_URL");
    options.user = env_or("TEST_CLICKHOUSE_USER", "default");
    options.password = env_or("TEST_CLICKHOUSE_PASSWORD");
    options.database = std::move(database);
    return options;
  }

  testing::TempDir dir_;
  core::EventLoops loops_{2, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{2};
  std::optional<testing::ScratchPostgresDatabase> scratch_;  // outlives db_
  std::unique_ptr<db::Database> db_;
  std::shared_ptr<net::HttpClient> client_;
  std::unique_ptr<AnalyticsStore> store_;
  ClickHouseStore* clickhouse_ = nullptr;  // store_, when it is ClickHouse
  // Statements the store has no call for (dropping the test database, SELECT of a literal).
  std::unique_ptr<detail::ClickHouseHttp> raw_;
  std::string database_;

 private:
  void set_up_clickhouse(bool tls) {
    std::random_device random;
    database_ = "netra_test_" + std::to_string(random()) + std::to_string(random());
    net::HttpClientOptions client_options;
    auto options = clickhouse_options(database_);
    if (tls) {
      client_options.ca_file = env_or("TEST_CLICKHOUSE_CA_FILE");
      options.url = env_or("TEST_CLICKHOUSE_HTTPS_URL");
    }
    client_ = std::make_shared<net::HttpClient>(client_options);
    raw_ = std::make_unique<detail::ClickHouseHttp>(client_, options.url, options.user,
                                                    options.password, core::BreakerOptions{});
    auto store = std::make_unique<ClickHouseStore>(options, client_);
    auto created = run(store->ensure_schema(deadline()));
    ASSERT_TRUE(created) << created.error().message;
    clickhouse_ = store.get();
    store_ = std::move(store);
  }
};

}  // namespace netra::analytics
