// What the analytics benchmarks share: the service's runtime as `netra serve` sets it up on two
// cores (2 event loops, 4 offload threads, one HttpClient), demo events made before any clock
// starts, and the plain baselines' own tools (curl, a JSONEachRow encoder of their own).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analytics/clickhouse_store.hpp"
#include "analytics/demo_workload.hpp"
#include "analytics/detail/clickhouse_http.hpp"
#include "analytics/embedded_store.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"
#include "net/http_client.hpp"

namespace netra::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using analytics::WorkloadEvent;
using Batches = std::vector<std::vector<WorkloadEvent>>;

inline constexpr size_t kBatch = 10'000;
// Events end here, so every run makes the same events: 2024-07-01T00:00:00Z.
inline constexpr int64_t kNowMs = 1'719'792'000'000;
inline constexpr int kDays = 30;
inline const std::string kUser = "usr_bench";

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

[[noreturn]] inline void die(const std::string& why) {
  std::fprintf(stderr, "analytics bench: %s\n", why.c_str());
  std::exit(1);
}

inline std::string env(const char* name, const char* fallback = nullptr) {
  const char* value = std::getenv(name);
  if (value != nullptr) return value;
  if (fallback == nullptr) die(std::string(name) + " is not set (the .sh sets it)");
  return fallback;
}

// `events` demo events of one user over the 30 days before kNowMs, in batches of 10,000.
inline Batches demo_batches(size_t events) {
  analytics::DemoWorkload demo({kNowMs, kDays, events, 1});
  Batches out;
  for (auto batch = demo.next_batch(kBatch); !batch.empty(); batch = demo.next_batch(kBatch)) {
    for (auto& e : batch) e.user_id = kUser;
    out.push_back(std::move(batch));
  }
  return out;
}

// The ClickHouse test server of scripts/clickhouse-test-server, from its TEST_CLICKHOUSE_* lines.
inline analytics::ClickHouseOptions clickhouse_options(std::string database) {
  analytics::ClickHouseOptions options;
  options.url = env("TEST_CLICKHOUSE_URL");
  options.user = env("TEST_CLICKHOUSE_USER", "default");
  options.password = env("TEST_CLICKHOUSE_PASSWORD", "");
  options.database = std::move(database);
  return options;
}

class Runtime {
 public:
  Runtime() { loops_.start(); }
  ~Runtime() {
    client_.reset();  // before the loops its sockets belong to
    offload_.shutdown(std::chrono::seconds(2));
    loops_.stop(std::chrono::seconds(2));
  }

  template <typename T>
  T run(asio::awaitable<T> task) {
    return asio::co_spawn(loops_.context(0), std::move(task), asio::use_future).get();
  }
  static core::Deadline deadline() { return core::Deadline::after(std::chrono::minutes(5)); }

  // A migrated Database at `url` (sqlite:PATH or a PostgreSQL URL); `observer` hears it.
  std::unique_ptr<db::Database> database(const std::string& url,
                                         db::DatabaseObserver observer = {}) {
    db::DatabaseSettings settings;
    settings.url = url;
    auto db = db::open_database(settings, offload_, std::move(observer));
    auto migrated = run(db::apply_migrations(*db, db::embedded_migrations(), deadline()));
    if (!migrated) die("migrate " + url + ": " + migrated.error().message);
    return db;
  }

  // The store as the service builds it (shared client, the offload pool for encoding), its
  // database and table created.
  std::unique_ptr<analytics::ClickHouseStore> clickhouse(
      const std::string& database, std::function<void(const std::string&)> on_statement = {}) {
    auto options = clickhouse_options(database);
    options.on_statement = std::move(on_statement);
    auto store = std::make_unique<analytics::ClickHouseStore>(options, client_, &offload_);
    auto made = run(store->ensure_schema(deadline()));
    if (!made) die("create " + database + ": " + made.error().message);
    return store;
  }

  // One statement the stores have no call for (DROP DATABASE, count()); the answer's body.
  std::string clickhouse_statement(std::string sql) {
    const auto options = clickhouse_options("default");
    analytics::detail::ClickHouseHttp http(client_, options.url, options.user, options.password,
                                           core::BreakerOptions{});
    auto answered = run(http.execute(std::move(sql), "bench statement", deadline(), false));
    if (!answered) die(answered.error().message);
    return std::move(answered.value());
  }
  int64_t clickhouse_count(const std::string& database) {
    return std::stoll(clickhouse_statement("SELECT count() FROM " + database + ".workload_events"));
  }

 private:
  core::EventLoops loops_{2, std::chrono::milliseconds(50)};
  core::OffloadPool offload_{4};
  std::shared_ptr<net::HttpClient> client_ = std::make_shared<net::HttpClient>();
};

// Stores every batch through `store`, one batch in flight, as one client posting to the ingest
// route would; returns events per second.
inline double insert_all(Runtime& rt, analytics::AnalyticsStore& store, const Batches& batches) {
  Batches copies = batches;  // insert takes its batch by value; copying is not what we time
  size_t stored = 0;
  const auto began = Clock::now();
  for (auto& batch : copies) {
    auto done = rt.run(store.insert(kUser, std::move(batch), Runtime::deadline()));
    if (!done) die(std::string(store.backend()) + " insert: " + done.error().message);
    stored += done.value();
  }
  return static_cast<double>(stored) / seconds_since(began);
}

// The baseline's JSONEachRow line, written with nlohmann::json rather than the store's encoder.
inline std::string baseline_row(const WorkloadEvent& e) {
  nlohmann::json keys = nlohmann::json::array();
  nlohmann::json values = nlohmann::json::array();
  for (const auto& [k, v] : e.tags) {
    keys.push_back(k);
    values.push_back(v);
  }
  nlohmann::json row = {{"date", analytics::utc_date(e.timestamp_ms)},
                        {"user_id", e.user_id},
                        {"event_id", e.event_id},
                        {"timestamp_ms", e.timestamp_ms},
                        {"workload_id", e.workload_id},
                        {"provider", e.provider},
                        {"model", e.model},
                        {"input_tokens", e.input_tokens},
                        {"output_tokens", e.output_tokens},
                        {"latency_ms", e.latency_ms},
                        {"cost_usd", e.cost_usd},
                        {"status", analytics::to_string(e.status)},
                        {"error_type", e.error_type},
                        {"prompt_hash", e.prompt_hash},
                        {"cached", e.cached ? 1 : 0},
                        {"tag_keys", keys},
                        {"tag_values", values}};
  return row.dump() + "\n";
}

// Runs a shell command and returns its wall-clock seconds; dies when it fails.
inline double timed_command(const std::string& command) {
  const auto began = Clock::now();
  const int status = std::system(command.c_str());
  const double took = seconds_since(began);
  if (status != 0) die("failed (" + std::to_string(status) + "): " + command);
  return took;
}

}  // namespace netra::bench
