// The data step of an agent run (collect_data: summaries by model and by workload, repeated
// prompts, the hourly timeline, a sample of 10,000 events; each a tool call stored as a run step)
// over one user's 30-day window of 1,000,000 events, on ClickHouse and on the embedded store
// (SQLite), beside the statements each store sent for it (recorded on an untimed run) run
// plainly on the same data:
//   ClickHouse: one curl process posting them (keep-alive, answers to /dev/null); also the
//               summary by model alone, and what starting curl costs (a /ping).
//   SQLite:     the sqlite3 API stepping through every row of each.
// Loading is not timed. Each figure is the median of RUNS, after one untimed warm-up run.
//
//   bench/data_step.sh                  (starts a throwaway ClickHouse, builds, runs this)
//   analytics_data_step WORK_DIR [EVENTS] [RUNS]   with TEST_CLICKHOUSE_URL/USER/PASSWORD set
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "agents/data_step.hpp"
#include "analytics_bench.hpp"
#include "chat/chat_store.hpp"
#include "chat/run_event_sink.hpp"

namespace {

using namespace netra;
using namespace netra::bench;
namespace fs = std::filesystem;

constexpr const char* kDatabase = "bench_data_step";
constexpr analytics::TimeRange kWindow{kNowMs - int64_t{kDays} * 86'400'000, kNowMs};

double median_ms(std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2] * 1000;
}

// What a store sends, recorded while `recording` is set: its own statements, replayed plainly
// beside it (never a copy of its SQL that could drift from what it runs).
struct Recorder {
  bool recording = false;
  std::vector<std::string> clickhouse;
  std::vector<std::pair<std::string, db::Params>> sqlite;
};

// A curl config posting each statement in turn on one connection, answers discarded.
fs::path write_curl_config(const std::vector<std::string>& statements, const fs::path& path) {
  const auto options = clickhouse_options(kDatabase);
  std::ofstream out(path);
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto body = path.string() + "." + std::to_string(i) + ".sql";
    std::ofstream(body) << statements[i];
    if (i > 0) out << "next\n";
    out << "url = \"" << options.url << "/\"\n"
        << "header = \"X-ClickHouse-User: " << options.user << "\"\n"
        << "header = \"X-ClickHouse-Key: " << options.password << "\"\n"
        << "data-binary = \"@" << body << "\"\n"
        << "output = \"/dev/null\"\nfail\nsilent\nshow-error\n";
  }
  if (!out) die("cannot write " + path.string());
  return path;
}

// Binds the store's values to the $N parameters, as the driver does.
void bind(sqlite3* db, sqlite3_stmt* stmt, const db::Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = sqlite3_bind_parameter_index(stmt, ("$" + std::to_string(i + 1)).c_str());
    if (at == 0) continue;
    const auto& p = params[i];
    int rc = SQLITE_OK;
    if (auto* v = std::get_if<int64_t>(&p)) {
      rc = sqlite3_bind_int64(stmt, at, *v);
    } else if (auto* d = std::get_if<double>(&p)) {
      rc = sqlite3_bind_double(stmt, at, *d);
    } else if (auto* b = std::get_if<bool>(&p)) {
      rc = sqlite3_bind_int(stmt, at, *b ? 1 : 0);
    } else if (auto* t = std::get_if<std::string>(&p)) {
      rc = sqlite3_bind_text(stmt, at, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
    } else {
      rc = sqlite3_bind_null(stmt, at);
    }
    if (rc != SQLITE_OK) die(std::string("bind: ") + sqlite3_errmsg(db));
  }
}

double sqlite_plain(const fs::path& file,
                    const std::vector<std::pair<std::string, db::Params>>& statements) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) die("open " + file.string());
  const auto began = Clock::now();
  for (const auto& [sql, params] : statements) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      die(std::string("prepare: ") + sqlite3_errmsg(db));
    }
    bind(db, stmt, params);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) sqlite3_column_text(stmt, c);
    }
    sqlite3_finalize(stmt);
  }
  const double took = seconds_since(began);
  sqlite3_close(db);
  return took;
}

// collect_data as a run does it: its tool events stored as steps of a run of the user's thread
// in the service's database.
class DataStep {
 public:
  DataStep(Runtime& rt, db::Database& chat_db) : rt_(rt), chat_(chat_db) {
    db::Params user{kUser, std::string("bench@example.com"), std::string("$argon2id$bench"), kNowMs,
                    kNowMs};
    auto added = rt_.run(
        chat_db.query("INSERT INTO users (id, email, password_hash, created_at, updated_at) "
                      "VALUES ($1, $2, $3, $4, $5)",
                      std::move(user), Runtime::deadline()));
    if (!added) die("add user: " + added.error().message);
    auto thread = rt_.run(chat_.threads.create(kUser, chat::NewThread{}, Runtime::deadline()));
    if (!thread) die("create thread: " + thread.error().message);
    thread_id_ = thread->id;
  }

  // Seconds of one collect_data; checks it saw every event.
  double once(analytics::AnalyticsStore& store, size_t events) {
    auto made =
        rt_.run(chat_.runs.create(kUser, thread_id_, "why is my spend up?", Runtime::deadline()));
    if (!made) die("create run: " + made.error().message);
    chat::RunEventSink sink(chat_.runs, [](const chat::AgentEvent&) {});
    agents::RunEmitter emitter(sink, {made->id, thread_id_, kUser}, std::chrono::seconds(10));
    agents::DataRequest request{kUser, kWindow, {}, {}};
    const auto began = Clock::now();
    auto snap =
        rt_.run(agents::collect_data(store, emitter, std::move(request), Runtime::deadline()));
    const double took = seconds_since(began);
    if (!snap) die(std::string(store.backend()) + " data step: " + snap.error().message);
    int64_t seen = 0;
    for (const auto& g : snap->by_model) seen += g.requests;
    if (seen != static_cast<int64_t>(events)) die("the data step saw " + std::to_string(seen));
    return took;
  }

 private:
  Runtime& rt_;
  chat::ChatStore chat_;
  std::string thread_id_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: analytics_data_step WORK_DIR [EVENTS] [RUNS]\n");
    return 2;
  }
  const fs::path work = argv[1];
  const size_t events = argc > 2 ? std::stoul(argv[2]) : 1'000'000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;

  Runtime rt;
  const auto file = work / "netra.db";
  Recorder recorder;
  db::DatabaseObserver observer;
  observer.statement = [&recorder](const std::string& sql, const db::Params& params) {
    if (recorder.recording) recorder.sqlite.emplace_back(sql, params);
  };
  // The workload store's statements are recorded; the run steps go through a pool of their own.
  auto db = rt.database("sqlite:" + file.string(), observer);
  auto chat_db = rt.database("sqlite:" + file.string());
  analytics::EmbeddedAnalyticsStore embedded(*db);
  auto clickhouse = rt.clickhouse(kDatabase, [&recorder](const std::string& statement) {
    if (recorder.recording) recorder.clickhouse.push_back(statement);
  });
  {
    const auto loading = Clock::now();
    const auto batches = demo_batches(events);
    insert_all(rt, *clickhouse, batches);
    insert_all(rt, embedded, batches);
    std::printf(
        "%zu demo events of one user over %d days loaded into ClickHouse and SQLite in "
        "%.0f s (untimed)\n",
        events, kDays, seconds_since(loading));
  }
  rt.clickhouse_statement("OPTIMIZE TABLE " + std::string(kDatabase) + ".workload_events FINAL");
  DataStep step(rt, *chat_db);
  // One untimed run of each store records what it sends.
  recorder.recording = true;
  step.once(*clickhouse, events);
  step.once(embedded, events);
  recorder.recording = false;
  if (recorder.clickhouse.empty() || recorder.sqlite.empty()) die("no statement was recorded");
  const auto all = write_curl_config(recorder.clickhouse, work / "step.cfg");
  const auto one = write_curl_config({recorder.clickhouse[0]}, work / "summary.cfg");
  const auto ping = "curl -sS --fail -o /dev/null '" + clickhouse_options(kDatabase).url + "/ping'";
  const auto& lite = recorder.sqlite;

  std::vector<double> ch_step, ch_raw, ch_summary, ch_ping, lite_step, lite_raw;
  for (int run = 0; run <= runs; ++run) {  // run 0 warms caches up and is not counted
    const double a = step.once(*clickhouse, events);
    const double b = timed_command("curl -K '" + all.string() + "'");
    const double c = timed_command("curl -K '" + one.string() + "'");
    const double d = timed_command(ping);
    const double e = step.once(embedded, events);
    const double f = sqlite_plain(file, lite);
    if (run == 0) continue;
    ch_step.push_back(a);
    ch_raw.push_back(b);
    ch_summary.push_back(c);
    ch_ping.push_back(d);
    lite_step.push_back(e);
    lite_raw.push_back(f);
  }
  std::printf("data step over %zu events of one user, 30-day window, median of %d runs (ms):\n",
              events, runs);
  std::printf(
      "  clickhouse: collect_data %8.1f | its %zu statements by curl %8.1f | %.2fx  "
      "(summary by model alone by curl %.1f; curl start + /ping %.1f)\n",
      median_ms(ch_step), recorder.clickhouse.size(), median_ms(ch_raw),
      median_ms(ch_step) / median_ms(ch_raw), median_ms(ch_summary), median_ms(ch_ping));
  std::printf("  sqlite:     collect_data %8.1f | its %zu statements by sqlite3 %8.1f | %.2fx\n",
              median_ms(lite_step), lite.size(), median_ms(lite_raw),
              median_ms(lite_step) / median_ms(lite_raw));
  rt.clickhouse_statement("DROP DATABASE " + std::string(kDatabase));
  db->close_idle();
}
