// Enqueue-to-start latency of background jobs on an idle queue (issue 17), on PostgreSQL and
// Redis, three ways side by side:
//   - same instance: the job is queued where the workers run, which wake at once (the local path);
//   - across, Redis: queued on instance A, whose nudge on netra:jobs (ClusterWakeups) wakes the
//     workers of instance B — the path the target is for (p99 < 50 ms);
//   - across, polling: the same without Redis, B's workers finding it at their next poll (1 s, the
//     default tasks.poll_interval_ms) — what the wake-ups save.
// A and B are two sets of parts in this process (each its own database pool, Redis client and
// instance id), as two `netra serve` would be. Latency: from just before JobStore::enqueue until
// the handler runs, read on one steady clock; JOBS jobs each way, one at a time, a job queued
// only once the previous one ran, 20 ms apart.
//
//   bench/job_latency.sh             (throwaway PostgreSQL and Redis, builds, runs this)
//   job_latency POSTGRES_URL REDIS_URL [JOBS (200)]
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"
#include "redis/cluster_wakeups.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"
#include "tasks/job_store.hpp"
#include "tasks/job_workers.hpp"
#include "telemetry/logging.hpp"

namespace {

namespace asio = boost::asio;
using namespace netra;
using namespace std::chrono;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "job_latency: %s\n", why.c_str());
  std::exit(1);
}

// Records when each job started: its payload says when it was queued (steady ns).
class Stamp final : public tasks::JobHandler {
 public:
  asio::awaitable<tasks::JobOutcome> run(tasks::JobContext& job) override {
    const auto now = steady_clock::now().time_since_epoch().count();
    const auto queued = job.job().payload.at("queued_ns").get<int64_t>();
    {
      std::lock_guard lock(mutex_);
      latencies_ms_.push_back(static_cast<double>(now - queued) / 1e6);
    }
    ran_.fetch_add(1);
    co_return tasks::JobOutcome::success();
  }
  uint64_t ran() const { return ran_.load(); }
  std::vector<double> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(latencies_ms_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<double> latencies_ms_;
  std::atomic<uint64_t> ran_{0};
};

// One instance's parts: a pool on the database, a job store, and a Redis client with wake-ups.
struct Instance {
  Instance(const std::string& name, const std::string& postgres, const std::string& redis_url,
           core::EventLoops& loops, core::OffloadPool& offload) {
    db::DatabaseSettings settings;
    settings.url = postgres;
    settings.pool.max_size = 4;
    database = db::open_database(settings, offload);
    store = std::make_unique<tasks::JobStore>(*database, core::unix_ms_now);
    wakeups = redis::ClusterWakeups::create("netra:jobs", name);
    redis::RedisSettings redis_settings;
    redis_settings.url = redis_url;
    auto options = redis::client_options(redis_settings);
    if (!options) die(options.error());
    redis = std::make_shared<redis::RedisClient>(
        options.value(), std::vector<asio::any_io_executor>{loops.context(0).get_executor()});
    wakeups->share_through(redis);
    auto opened = asio::co_spawn(loops.context(0), redis->open(core::Deadline::after(seconds(5))),
                                 asio::use_future)
                      .get();
    if (opened) die("redis: " + opened->message);
  }
  ~Instance() { database->close_idle(); }
  std::unique_ptr<db::Database> database;
  std::unique_ptr<tasks::JobStore> store;
  std::shared_ptr<redis::ClusterWakeups> wakeups;
  std::shared_ptr<redis::RedisClient> redis;
};

enum class Path { same_instance, across_redis, across_polling };

asio::awaitable<void> enqueue_one(tasks::JobStore& store) {
  tasks::NewJob job;
  job.kind = "stamp";
  job.max_attempts = 1;
  job.payload = {{"queued_ns", steady_clock::now().time_since_epoch().count()}};
  auto queued = co_await store.enqueue(std::move(job), core::Deadline::after(seconds(10)));
  if (!queued) die("enqueue: " + queued.error().message);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())))];
}

std::vector<double> measure(Path path, Instance& a, Instance& b, core::EventLoops& loops,
                            int jobs) {
  // The workers run on B; same_instance queues on B too, the others on A.
  auto handler = std::make_shared<Stamp>();
  tasks::WorkerOptions options;
  options.concurrency = 2;
  options.poll_interval = milliseconds(1000);
  auto workers = std::make_shared<tasks::JobWorkers>(*b.store, "bench-b", options);
  workers->handle("stamp", handler);
  workers->start(loops.context(1).get_executor());
  b.wakeups->listen([path, weak = std::weak_ptr<tasks::JobWorkers>(workers)] {
    if (path != Path::across_redis) return;
    if (auto w = weak.lock()) w->wake();
  });
  std::this_thread::sleep_for(milliseconds(200));  // the workers are idle, polling
  auto& queue_on = path == Path::same_instance ? b : a;
  for (int i = 0; i < jobs; ++i) {
    asio::co_spawn(loops.context(0), enqueue_one(*queue_on.store), asio::use_future).get();
    if (path == Path::same_instance) workers->wake();
    if (path == Path::across_redis) a.wakeups->publish();
    const auto give_up = steady_clock::now() + seconds(5);
    while (handler->ran() < static_cast<uint64_t>(i + 1)) {
      if (steady_clock::now() > give_up) die("a job did not start within 5 s");
      std::this_thread::sleep_for(microseconds(100));
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  (void)asio::co_spawn(loops.context(1), workers->stop(seconds(5)), asio::use_future).get();
  b.wakeups->listen([] {});
  return handler->take();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: job_latency POSTGRES_URL REDIS_URL [JOBS]\n");
    return 2;
  }
  telemetry::init_logging(telemetry::LogFormat::text, "warn");
  const int jobs = argc > 3 ? std::atoi(argv[3]) : 200;
  core::EventLoops loops(2, milliseconds(50));
  core::OffloadPool offload(4);
  loops.start();
  {
    Instance a("ins_bench_a", argv[1], argv[2], loops, offload);
    Instance b("ins_bench_b", argv[1], argv[2], loops, offload);
    auto migrated = asio::co_spawn(loops.context(0),
                                   db::apply_migrations(*a.database, db::embedded_migrations(),
                                                        core::Deadline::after(seconds(60))),
                                   asio::use_future)
                        .get();
    if (!migrated) die("migrations: " + migrated.error().message);
    struct Row {
      const char* name;
      Path path;
      int jobs;
    };
    // Polling waits up to a second a job: fewer of them.
    const Row rows[] = {
        {"same instance (local wake)", Path::same_instance, jobs},
        {"across instances, Redis wake-up", Path::across_redis, jobs},
        {"across instances, polling (1 s)", Path::across_polling, std::max(10, jobs / 10)}};
    std::printf("enqueue-to-start latency on an idle queue, PostgreSQL + Redis (ms):\n");
    for (const auto& row : rows) {
      const auto latencies = measure(row.path, a, b, loops, row.jobs);
      std::printf("  %-34s %4d jobs  p50 %7.2f  p99 %7.2f  max %7.2f\n", row.name, row.jobs,
                  percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100));
    }
    std::printf("target: across instances with Redis, p99 < 50 ms\n");
    for (auto* instance : {&a, &b}) {
      asio::co_spawn(loops.context(0), instance->redis->close(), asio::use_future).get();
    }
  }
  offload.shutdown(seconds(1));
  loops.stop(seconds(1));
}
