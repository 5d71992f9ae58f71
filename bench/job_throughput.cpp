// No-op jobs per second through the durable queue on PostgreSQL (issue 17), beside a plain
// synchronous libpq loop of the same statements, on the same server, rounds alternating.
//
//   - queue: JobStore + JobWorkers (2 event loops, 2 workers, a pool of 10) with a handler that
//     does nothing; one coroutine enqueues JOBS jobs one after the other, waking the workers after
//     each (what BackgroundTasksComponent::enqueue does); timed from the first enqueue until the
//     workers ended the last job. Every job costs the queue an INSERT, a claim (UPDATE … WHERE id =
//     (SELECT … FOR UPDATE SKIP LOCKED) RETURNING) and its end (UPDATE … succeeded), plus the idle
//     workers' claims that find nothing.
//   - plain: for each job, that job's INSERT, one claim and its succeeded UPDATE, with exactly the
//     SQL and values the queue sent in its round (recorded through DatabaseObserver::statement),
//     one after the other on one connection with PQexecParams.
//
//   bench/job_throughput.sh            (starts a throwaway PostgreSQL, builds, runs this)
//   job_throughput POSTGRES_URL [JOBS (5000)] [ROUNDS (3)]
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"
#include "tasks/job_store.hpp"
#include "tasks/job_workers.hpp"
#include "telemetry/logging.hpp"

namespace {

namespace asio = boost::asio;
using namespace netra;
using namespace std::chrono;
using Clock = steady_clock;

double seconds_since(Clock::time_point t) {
  return duration<double>(Clock::now() - t).count();
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "job_throughput: %s\n", why.c_str());
  std::exit(1);
}

class NoOp final : public tasks::JobHandler {
 public:
  asio::awaitable<tasks::JobOutcome> run(tasks::JobContext&) override {
    co_return tasks::JobOutcome::success();
  }
};

struct Statement {
  std::string sql;
  db::Params params;
};

// What the queue sent during a round, in order.
struct Recorder {
  std::mutex mutex;
  std::vector<Statement> statements;
};

asio::awaitable<void> enqueue_all(tasks::JobStore& store,
                                  std::shared_ptr<tasks::JobWorkers> workers, int jobs) {
  for (int i = 0; i < jobs; ++i) {
    tasks::NewJob job;
    job.kind = "noop";
    job.max_attempts = 1;
    auto queued = co_await store.enqueue(std::move(job), core::Deadline::after(seconds(10)));
    if (!queued) die("enqueue: " + queued.error().message);
    workers->wake();
  }
}

// Jobs per second through the queue; what it sent lands in `recorder`.
double through_queue(const std::string& url, int jobs, Recorder& recorder) {
  core::EventLoops loops(2, milliseconds(50));
  core::OffloadPool offload(4);
  loops.start();
  db::DatabaseSettings settings;
  settings.url = url;
  settings.pool.max_size = 10;
  db::DatabaseObserver observer;
  observer.statement = [&recorder](const std::string& sql, const db::Params& params) {
    std::lock_guard lock(recorder.mutex);
    recorder.statements.push_back({sql, params});
  };
  auto database = db::open_database(settings, offload, observer);
  auto run = [&](auto task) {
    return asio::co_spawn(loops.context(0), std::move(task), asio::use_future).get();
  };
  auto migrated = run(db::apply_migrations(*database, db::embedded_migrations(),
                                           core::Deadline::after(seconds(60))));
  if (!migrated) die("migrations: " + migrated.error().message);
  // Each round starts from an empty, vacuumed table: the rounds before leave dead rows behind
  // that would slow every later one (the plain loop does the same).
  (void)run(database->query("DELETE FROM jobs", {}, core::Deadline::after(seconds(30))));
  (void)run(database->query("VACUUM ANALYZE jobs", {}, core::Deadline::after(seconds(60))));
  {
    std::lock_guard lock(recorder.mutex);
    recorder.statements.clear();
  }
  tasks::JobStore store(*database, core::unix_ms_now);
  tasks::WorkerOptions options;
  options.concurrency = 2;
  auto workers = std::make_shared<tasks::JobWorkers>(store, "bench", options);
  workers->handle("noop", std::make_shared<NoOp>());
  workers->start(loops.context(1).get_executor());
  const auto began = Clock::now();
  asio::co_spawn(loops.context(0), enqueue_all(store, workers, jobs), asio::use_future).get();
  while (workers->tally().succeeded < static_cast<uint64_t>(jobs)) {
    std::this_thread::sleep_for(microseconds(200));
    if (seconds_since(began) > 600) die("the queue did not finish within 10 minutes");
  }
  const double rate = jobs / seconds_since(began);
  (void)asio::co_spawn(loops.context(1), workers->stop(seconds(5)), asio::use_future).get();
  workers.reset();
  database->close_idle();
  database.reset();
  offload.shutdown(seconds(1));
  loops.stop(seconds(1));
  return rate;
}

std::optional<std::string> as_text(const db::SqlParam& param) {
  struct {
    std::optional<std::string> operator()(std::nullptr_t) const { return std::nullopt; }
    std::optional<std::string> operator()(int64_t v) const { return std::to_string(v); }
    std::optional<std::string> operator()(double v) const { return std::to_string(v); }
    std::optional<std::string> operator()(bool v) const { return v ? "true" : "false"; }
    std::optional<std::string> operator()(const std::string& v) const { return v; }
  } visit;
  return std::visit(visit, param);
}

void exec(PGconn* conn, const Statement& s) {
  std::vector<std::optional<std::string>> texts;
  for (const auto& p : s.params) texts.push_back(as_text(p));
  std::vector<const char*> values;
  for (const auto& t : texts) values.push_back(t ? t->c_str() : nullptr);
  PGresult* r = PQexecParams(conn, s.sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    die(std::string("plain loop: ") + PQerrorMessage(conn));
  }
  PQclear(r);
}

// The recorded round as the plain loop replays it: per job, its INSERT, a claim and its end.
std::vector<Statement> plain_sequence(const std::vector<Statement>& recorded, int jobs) {
  std::vector<Statement> inserts, ends;
  std::optional<Statement> claim;
  for (const auto& s : recorded) {
    if (s.sql.rfind("INSERT INTO jobs", 0) == 0) inserts.push_back(s);
    if (s.sql.find("SKIP LOCKED") != std::string::npos) claim = s;  // the last: the latest "now"
    if (s.sql.rfind("UPDATE jobs SET state = 'succeeded'", 0) == 0) ends.push_back(s);
  }
  if (static_cast<int>(inserts.size()) != jobs || static_cast<int>(ends.size()) != jobs || !claim) {
    die("the recorded round is not one INSERT, claim and end per job");
  }
  // Each end names its job and the worker that held it; the plain loop's claims all name the
  // recorded claim's worker.
  const auto worker = std::get<std::string>(claim->params.at(0));
  std::map<std::string, Statement> end_of;  // by job id: jobs end in another order than queued
  for (auto& end : ends) {
    end.params.at(1) = worker;
    end_of.emplace(std::get<std::string>(end.params.at(0)), std::move(end));
  }
  std::vector<Statement> sequence;
  for (const auto& insert : inserts) {
    sequence.push_back(insert);
    sequence.push_back(*claim);
    sequence.push_back(end_of.at(std::get<std::string>(insert.params.at(0))));
  }
  return sequence;
}

// Jobs per second of the plain loop; checks that every job ended succeeded.
double plain_loop(const char* url, const std::vector<Statement>& sequence, int jobs) {
  PGconn* conn = PQconnectdb(url);
  if (PQstatus(conn) != CONNECTION_OK) die(std::string("connect: ") + PQerrorMessage(conn));
  PQclear(PQexec(conn, "DELETE FROM jobs"));
  PQclear(PQexec(conn, "VACUUM ANALYZE jobs"));
  const auto began = Clock::now();
  for (const auto& s : sequence) exec(conn, s);
  const double rate = jobs / seconds_since(began);
  PGresult* r = PQexec(conn, "SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'");
  const int succeeded = std::atoi(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(conn);
  if (succeeded != jobs) die("the plain loop ended " + std::to_string(succeeded) + " jobs");
  return rate;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: job_throughput POSTGRES_URL [JOBS] [ROUNDS]\n");
    return 2;
  }
  // A line per job start and end at info: the figures are the queue's, not the terminal's.
  telemetry::init_logging(telemetry::LogFormat::text, "warn");
  const int jobs = argc > 2 ? std::atoi(argv[2]) : 5000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  std::vector<double> queue_rates, plain_rates;
  std::printf("%d no-op jobs per round on PostgreSQL, %d rounds (jobs/s):\n", jobs, rounds);
  for (int round = 1; round <= rounds; ++round) {
    Recorder recorder;
    const double queue = through_queue(argv[1], jobs, recorder);
    const auto sequence = plain_sequence(recorder.statements, jobs);
    const double plain = plain_loop(argv[1], sequence, jobs);
    queue_rates.push_back(queue);
    plain_rates.push_back(plain);
    std::printf(
        "  round %d: queue (2 workers) %7.0f | plain loop of its INSERT, claim, end %7.0f | "
        "%.2fx  (%zu statements sent by the queue)\n",
        round, queue, plain, queue / plain, recorder.statements.size());
  }
  std::printf(
      "median: queue %.0f jobs/s | plain loop %.0f jobs/s | queue / plain %.2f "
      "(target >= 0.5)\n",
      median(queue_rates), median(plain_rates), median(queue_rates) / median(plain_rates));
}
