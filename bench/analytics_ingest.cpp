// Workload events stored per second, in batches of 10,000 with one batch in flight, through our
// stores beside a plain baseline on the same server in the same run:
//   ClickHouse: ClickHouseStore::insert vs the same rows as JSONEachRow files posted by one curl
//               process (keep-alive, --data-binary) — the ratio is our client's overhead.
//   SQLite:     EmbeddedAnalyticsStore::insert vs a plain sqlite3 loop (one prepared single-row
//               INSERT, a transaction per batch, the same table, index and pragmas).
// Events are made (DemoWorkload, seed 1) and the baseline's files written before any clock runs.
//
//   bench/analytics_ingest.sh            (starts a throwaway ClickHouse, builds, runs this)
//   analytics_ingest WORK_DIR [EVENTS] [ROUNDS]     with TEST_CLICKHOUSE_URL/USER/PASSWORD set
#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "analytics_bench.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"

namespace {

using namespace netra;
using namespace netra::bench;
namespace fs = std::filesystem;

std::string url_encode(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// One JSONEachRow file per batch; returns their paths.
std::vector<fs::path> write_batch_files(const Batches& batches, const fs::path& dir) {
  std::vector<fs::path> files;
  for (size_t i = 0; i < batches.size(); ++i) {
    files.push_back(dir / ("batch_" + std::to_string(i) + ".jsonl"));
    std::ofstream out(files.back(), std::ios::binary);
    for (const auto& e : batches[i]) out << baseline_row(e);
    if (!out) die("cannot write " + files.back().string());
  }
  return files;
}

// A curl config that posts every file to `database`, one transfer after another on one
// keep-alive connection.
fs::path write_curl_config(const std::vector<fs::path>& files, const std::string& database,
                           const fs::path& dir) {
  const auto options = clickhouse_options(database);
  const auto query = "INSERT INTO " + database + ".workload_events FORMAT JSONEachRow";
  const auto path = dir / ("curl_" + database + ".cfg");
  std::ofstream out(path);
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out << "next\n";
    out << "url = \"" << options.url << "/?query=" << url_encode(query) << "\"\n"
        << "header = \"X-ClickHouse-User: " << options.user << "\"\n"
        << "header = \"X-ClickHouse-Key: " << options.password << "\"\n"
        << "data-binary = \"@" << files[i].string() << "\"\n"
        << "output = \"/dev/null\"\nfail\nsilent\nshow-error\n";
  }
  if (!out) die("cannot write " + path.string());
  return path;
}

double clickhouse_curl(Runtime& rt, const fs::path& config, const std::string& database,
                       size_t events) {
  rt.clickhouse(database);  // the same table, made the same way
  const double took = timed_command("curl -K '" + config.string() + "'");
  if (rt.clickhouse_count(database) != static_cast<int64_t>(events)) die("curl lost rows");
  return static_cast<double>(events) / took;
}

double clickhouse_netra(Runtime& rt, const Batches& batches, const std::string& database,
                        size_t events) {
  auto store = rt.clickhouse(database);
  const double rate = insert_all(rt, *store, batches);
  if (rt.clickhouse_count(database) != static_cast<int64_t>(events)) die("the store lost rows");
  return rate;
}

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) die(std::string(what) + ": " + sqlite3_errmsg(db));
}

// The plain loop, on a file the migrations made (the same table and index) with the driver's
// pragmas: what SQLite itself takes to store these rows with the same durability.
double sqlite_plain(Runtime& rt, const Batches& batches, const fs::path& file) {
  rt.database("sqlite:" + file.string())->close_idle();
  sqlite3* db = nullptr;
  check(db, sqlite3_open(file.c_str(), &db), "open");
  // The migrating Database closes its connection on the offload pool, maybe not yet.
  sqlite3_busy_timeout(db, 10000);
  check(db,
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                     nullptr),
        "pragma");
  sqlite3_stmt* stmt = nullptr;
  check(db,
        sqlite3_prepare_v2(db,
                           "INSERT INTO workload_events (user_id, event_id, timestamp_ms, "
                           "workload_id, provider, model, input_tokens, output_tokens, "
                           "latency_ms, cost_usd, status, error_type, prompt_hash, cached, tags, "
                           "entry_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                           "?13, ?14, ?15, ?16)",
                           -1, &stmt, nullptr),
        "prepare");
  auto text = [stmt](int i, std::string_view s) {
    sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  size_t stored = 0;
  const auto began = Clock::now();
  for (const auto& batch : batches) {
    check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
    const int64_t stored_at_ms = core::unix_ms_now();
    for (const auto& e : batch) {
      const std::string tags = nlohmann::json(e.tags).dump();
      text(1, e.user_id);
      text(2, e.event_id);
      sqlite3_bind_int64(stmt, 3, e.timestamp_ms);
      text(4, e.workload_id);
      text(5, e.provider);
      text(6, e.model);
      sqlite3_bind_int64(stmt, 7, e.input_tokens);
      sqlite3_bind_int64(stmt, 8, e.output_tokens);
      sqlite3_bind_int64(stmt, 9, e.latency_ms);
      sqlite3_bind_double(stmt, 10, e.cost_usd);
      text(11, analytics::to_string(e.status));
      text(12, e.error_type);
      text(13, e.prompt_hash);
      sqlite3_bind_int64(stmt, 14, e.cached ? 1 : 0);
      text(15, tags);
      text(16, core::make_sortable_id("wev", stored_at_ms));  // made as the store makes it
      check(db, sqlite3_step(stmt), "insert");
      sqlite3_reset(stmt);
      ++stored;
    }
    check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  }
  const double rate = static_cast<double>(stored) / seconds_since(began);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rate;
}

double sqlite_netra(Runtime& rt, const Batches& batches, const fs::path& file) {
  auto db = rt.database("sqlite:" + file.string());
  analytics::EmbeddedAnalyticsStore store(*db);
  const double rate = insert_all(rt, store, batches);
  db->close_idle();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: analytics_ingest WORK_DIR [EVENTS] [ROUNDS]\n");
    return 2;
  }
  const fs::path work = argv[1];
  const size_t events = argc > 2 ? std::stoul(argv[2]) : 1'000'000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 2;

  const auto made = Clock::now();
  const auto batches = demo_batches(events);
  const auto files = write_batch_files(batches, work);
  std::printf("%zu demo events of one user in %zu batches, made and written in %.1f s (untimed)\n",
              events, batches.size(), seconds_since(made));

  Runtime rt;
  for (int round = 1; round <= rounds; ++round) {
    const auto raw_db = "bench_raw_" + std::to_string(round);
    const auto our_db = "bench_netra_" + std::to_string(round);
    const auto config = write_curl_config(files, raw_db, work);
    const double ch_raw = clickhouse_curl(rt, config, raw_db, events);
    const double ch_ours = clickhouse_netra(rt, batches, our_db, events);
    rt.clickhouse_statement("DROP DATABASE " + raw_db);
    rt.clickhouse_statement("DROP DATABASE " + our_db);
    const double lite_raw = sqlite_plain(rt, batches, work / ("plain_" + raw_db + ".db"));
    const double lite_ours = sqlite_netra(rt, batches, work / ("netra_" + our_db + ".db"));
    std::printf("round %d, events/s, batches of %zu, one batch in flight:\n", round, kBatch);
    std::printf(
        "  clickhouse: curl --data-binary JSONEachRow %9.0f | ClickHouseStore::insert        "
        "%9.0f | %.2fx\n",
        ch_raw, ch_ours, ch_ours / ch_raw);
    std::printf(
        "  sqlite:     plain prepared INSERT loop     %9.0f | EmbeddedAnalyticsStore::insert "
        "%9.0f | %.2fx\n",
        lite_raw, lite_ours, lite_ours / lite_raw);
    std::fflush(stdout);
  }
}
