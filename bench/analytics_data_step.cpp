// The data step of an agent run (collect_data: summaries by model and by workload, repeated
// prompts, the hourly timeline, a sample of 10,000 events; each a tool call stored as a run step)
// over one user's 30-day window of 1,000,000 events, on ClickHouse and on the embedded store
// (SQLite), beside the same five statements run plainly on the same data:
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

// The statements the stores send for the step, as of this commit, with this user and window.
std::vector<std::string> clickhouse_statements() {
  const auto scope = fmt::format("user_id = '{}' AND timestamp_ms >= {} AND timestamp_ms < {}",
                                 kUser, kWindow.from_ms, kWindow.to_ms);
  const auto summary = [&](const char* key) {
    return fmt::format(
        "SELECT {} AS k, count() AS n, sum(input_tokens) AS tin, sum(output_tokens) AS tout, "
        "sum(cost_usd) AS cost, quantilesExact(0.5, 0.95, 0.99)(latency_ms) AS p, "
        "countIf(status = 'error') AS errors, sum(cached) AS hits FROM {}.workload_events "
        "WHERE {} GROUP BY k FORMAT JSON",
        key, kDatabase, scope);
  };
  return {
      summary("model"), summary("workload_id"),
      fmt::format("SELECT workload_id AS w, prompt_hash AS h, count() AS n, sum(cached) AS hits, "
                  "sum(cost_usd) AS cost FROM {}.workload_events WHERE {} AND prompt_hash != '' "
                  "GROUP BY w, h HAVING n > 1 ORDER BY n DESC, cost DESC LIMIT {} FORMAT JSON",
                  kDatabase, scope, agents::kRepeatedPromptLimit),
      fmt::format("SELECT intDiv(timestamp_ms - {}, {}) AS b, count() AS n, countIf(status = "
                  "'error') AS errors, sum(cost_usd) AS cost FROM {}.workload_events WHERE {} "
                  "GROUP BY b ORDER BY b FORMAT JSON",
                  kWindow.from_ms, agents::timeline_bucket_ms(kWindow), kDatabase, scope),
      fmt::format("SELECT user_id, event_id, timestamp_ms, workload_id, provider, model, "
                  "input_tokens, output_tokens, latency_ms, cost_usd, status, error_type, "
                  "prompt_hash, cached, tag_keys, tag_values FROM {}.workload_events WHERE {} "
                  "ORDER BY timestamp_ms, event_id LIMIT {} FORMAT JSON",
                  kDatabase, scope, agents::kSampleLimit)};
}

std::vector<std::string> sqlite_statements() {
  const auto scope = fmt::format("user_id = '{}' AND timestamp_ms >= {} AND timestamp_ms < {}",
                                 kUser, kWindow.from_ms, kWindow.to_ms);
  const auto summary = [&](const char* key) {
    return fmt::format(
        "WITH scoped AS (SELECT {0} AS k, input_tokens, output_tokens, cost_usd, latency_ms, "
        "status, cached, ROW_NUMBER() OVER (PARTITION BY {0} ORDER BY latency_ms) - 1 AS r, "
        "COUNT(*) OVER (PARTITION BY {0}) AS n FROM workload_events WHERE {1}) "
        "SELECT k, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd), "
        "MAX(CASE WHEN r = n * 50 / 100 THEN latency_ms END), "
        "MAX(CASE WHEN r = n * 95 / 100 THEN latency_ms END), "
        "MAX(CASE WHEN r = n * 99 / 100 THEN latency_ms END), "
        "SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END), SUM(cached) "
        "FROM scoped GROUP BY k",
        key, scope);
  };
  return {summary("model"), summary("workload_id"),
          fmt::format("SELECT workload_id, prompt_hash, COUNT(*), SUM(cached), SUM(cost_usd) "
                      "FROM workload_events WHERE {} AND prompt_hash <> '' GROUP BY workload_id, "
                      "prompt_hash HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC, SUM(cost_usd) DESC "
                      "LIMIT {}",
                      scope, agents::kRepeatedPromptLimit),
          fmt::format("SELECT (timestamp_ms - {0}) / {1} AS b, COUNT(*), "
                      "SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END), SUM(cost_usd) "
                      "FROM workload_events WHERE {2} GROUP BY b ORDER BY b",
                      kWindow.from_ms, agents::timeline_bucket_ms(kWindow), scope),
          fmt::format("SELECT user_id, event_id, timestamp_ms, workload_id, provider, model, "
                      "input_tokens, output_tokens, latency_ms, cost_usd, status, error_type, "
                      "prompt_hash, cached, tags FROM workload_events WHERE {} "
                      "ORDER BY timestamp_ms, event_id LIMIT {}",
                      scope, agents::kSampleLimit)};
}

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

double sqlite_plain(const fs::path& file, const std::vector<std::string>& statements) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) die("open " + file.string());
  const auto began = Clock::now();
  for (const auto& sql : statements) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      die(std::string("prepare: ") + sqlite3_errmsg(db));
    }
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
  auto db = rt.database("sqlite:" + file.string());
  analytics::EmbeddedAnalyticsStore embedded(*db);
  auto clickhouse = rt.clickhouse(kDatabase);
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
  DataStep step(rt, *db);
  const auto all = write_curl_config(clickhouse_statements(), work / "step.cfg");
  const auto one = write_curl_config({clickhouse_statements()[0]}, work / "summary.cfg");
  const auto ping = "curl -sS --fail -o /dev/null '" + clickhouse_options(kDatabase).url + "/ping'";
  const auto lite = sqlite_statements();

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
      "  clickhouse: collect_data %8.1f | the 5 statements by curl %8.1f | %.2fx  "
      "(summary by model alone by curl %.1f; curl start + /ping %.1f)\n",
      median_ms(ch_step), median_ms(ch_raw), median_ms(ch_step) / median_ms(ch_raw),
      median_ms(ch_summary), median_ms(ch_ping));
  std::printf("  sqlite:     collect_data %8.1f | the 5 statements by sqlite3 %8.1f | %.2fx\n",
              median_ms(lite_step), median_ms(lite_raw),
              median_ms(lite_step) / median_ms(lite_raw));
  rt.clickhouse_statement("DROP DATABASE " + std::string(kDatabase));
  db->close_idle();
}
