// Simple-query throughput through our pool (2 event loops, pool of 10, 32 concurrent callers)
// against a plain synchronous loop on one connection, on the same server in the same run.
//
//   bench/db_throughput.sh            (starts a throwaway PostgreSQL, builds, runs this)
//   db_throughput POSTGRES_URL SQLITE_PATH [QUERIES]
#include <libpq-fe.h>
#include <sqlite3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <vector>

#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"

namespace {

namespace asio = boost::asio;
using namespace netra;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double plain_postgres(const char* url, int queries) {
  PGconn* conn = PQconnectdb(url);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "connect: %s", PQerrorMessage(conn));
    std::exit(1);
  }
  const auto began = Clock::now();
  for (int i = 0; i < queries; ++i) PQclear(PQexec(conn, "SELECT 1"));
  const double qps = queries / seconds_since(began);
  PQfinish(conn);
  return qps;
}

double plain_sqlite(const char* path, int queries) {
  sqlite3* db = nullptr;
  sqlite3_open(path, &db);
  const auto began = Clock::now();
  for (int i = 0; i < queries; ++i) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT 1", -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
  }
  const double qps = queries / seconds_since(began);
  sqlite3_close(db);
  return qps;
}

double through_pool(const std::string& url, int queries) {
  core::EventLoops loops(2, std::chrono::milliseconds(50));
  core::OffloadPool offload(4);
  loops.start();
  db::DatabaseSettings settings;
  settings.url = url;
  settings.pool.max_size = 10;
  const auto opened_database = db::open_database(settings, offload);
  db::Database& database = *opened_database;
  const int callers = 32;
  const int each = queries / callers;
  auto caller = [&database, each]() -> asio::awaitable<int> {
    int ok = 0;
    for (int i = 0; i < each; ++i) {
      auto r =
          co_await database.query("SELECT 1", {}, core::Deadline::after(std::chrono::seconds(10)));
      if (r) ++ok;
    }
    co_return ok;
  };
  // Warm the pool up, then measure.
  asio::co_spawn(loops.context(0),
                 database.query("SELECT 1", {}, core::Deadline::after(std::chrono::seconds(10))),
                 asio::use_future)
      .get();
  const auto began = Clock::now();
  std::vector<std::future<int>> running;
  for (int c = 0; c < callers; ++c)
    running.push_back(asio::co_spawn(loops.context(c % 2), caller(), asio::use_future));
  int ok = 0;
  for (auto& f : running) ok += f.get();
  const double qps = ok / seconds_since(began);
  if (ok != each * callers) std::fprintf(stderr, "%d queries failed\n", each * callers - ok);
  database.close_idle();
  offload.shutdown(std::chrono::seconds(1));
  loops.stop(std::chrono::seconds(1));
  return qps;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: db_throughput POSTGRES_URL SQLITE_PATH [QUERIES]\n");
    return 2;
  }
  const int queries = argc > 3 ? std::atoi(argv[3]) : 40000;
  for (int round = 1; round <= 2; ++round) {
    const double pg_plain = plain_postgres(argv[1], queries);
    const double pg_pool = through_pool(argv[1], queries);
    const double lite_plain = plain_sqlite(argv[2], queries);
    const double lite_pool = through_pool(std::string("sqlite:") + argv[2], queries);
    std::printf("round %d, %d x SELECT 1:\n", round, queries);
    std::printf(
        "  postgres: plain synchronous loop %8.0f q/s | our pool (2 loops, 10 conns, 32 callers) "
        "%8.0f q/s | %.2fx\n",
        pg_plain, pg_pool, pg_pool / pg_plain);
    std::printf(
        "  sqlite:   plain synchronous loop %8.0f q/s | our pool (offload pool, 10 conns)        "
        "%8.0f q/s | %.2fx\n",
        lite_plain, lite_pool, lite_pool / lite_plain);
  }
}
