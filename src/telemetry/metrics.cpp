#include "telemetry/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "telemetry/process_stats.hpp"

namespace netra::telemetry {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

struct Metrics::Families {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Histogram& db_acquire_wait =
      BuildHistogram()
          .Name("netra_db_acquire_wait_seconds")
          .Help("Time to get a database connection from the pool")
          .Register(*registry)
          .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05,
                                                           0.1, 0.5, 1, 5});
  prometheus::Counter& db_acquire_timeouts =
      BuildCounter()
          .Name("netra_db_acquire_timeouts_total")
          .Help("Acquisitions that ended busy (no connection within the acquire timeout)")
          .Register(*registry)
          .Add({});
  prometheus::Family<prometheus::Counter>& db_errors =
      BuildCounter()
          .Name("netra_db_errors_total")
          .Help("Failed database calls by error code")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& breaker_state =
      BuildGauge()
          .Name("netra_circuit_breaker_state")
          .Help("1 for each breaker's current state")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& pool_connections =
      BuildGauge()
          .Name("netra_pool_connections")
          .Help("Pool connections in use, idle, and callers waiting")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& pool_max = BuildGauge()
                                                        .Name("netra_pool_max_connections")
                                                        .Help("The most connections a pool opens")
                                                        .Register(*registry);
  prometheus::Family<prometheus::Counter>& requests =
      BuildCounter()
          .Name("http_requests_total")
          .Help("HTTP requests by route template, method and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& duration =
      BuildHistogram()
          .Name("http_request_duration_seconds")
          .Help("Time from a full request to its response")
          .Register(*registry);
  prometheus::Gauge& in_flight = BuildGauge()
                                     .Name("http_requests_in_flight")
                                     .Help("Requests being handled now")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Family<prometheus::Histogram>& loop_lag =
      BuildHistogram()
          .Name("netra_event_loop_lag_seconds")
          .Help(
              "How late each event loop's heartbeat timer fired: time a ready timer waited for "
              "the loop (a handler that blocks or computes long makes it grow)")
          .Register(*registry);
  // The recent worst lag per loop: the larger of this window's and the previous one's maximum.
  struct LagWindow {
    double last = 0;
    double current_max = 0;
    double previous_max = 0;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };
  mutable std::mutex lag_mutex;
  std::map<std::string, LagWindow> lag_windows;
  prometheus::Family<prometheus::Counter>& jobs_ended =
      BuildCounter()
          .Name("netra_jobs_total")
          .Help(
              "Background jobs this instance's workers ended, by kind and how (retried: failed "
              "and queued again; released: put back in the queue at shutdown)")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& dependency_duration =
      BuildHistogram()
          .Name("netra_dependency_duration_seconds")
          .Help(
              "Time of each call to an outbound dependency (database statement, ClickHouse query, "
              "Redis command, language-model or JWKS request), by dependency and operation")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& dependency_failures =
      BuildCounter()
          .Name("netra_dependency_failures_total")
          .Help("Calls to an outbound dependency that failed, by dependency and operation")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& job_run =
      BuildHistogram()
          .Name("netra_job_run_seconds")
          .Help("How long one attempt of a background job ran on this instance, by kind")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& jobs =
      BuildGauge()
          .Name("netra_jobs")
          .Help("Background jobs in the queue (every instance's), by kind and state")
          .Register(*registry);
  prometheus::Gauge& jobs_oldest_waiting =
      BuildGauge()
          .Name("netra_jobs_oldest_waiting_seconds")
          .Help("How long the oldest ready job has waited for a worker (0: none waits)")
          .Register(*registry)
          .Add({});
  std::mutex jobs_mutex;
  std::set<std::pair<std::string, std::string>> job_series;  // (kind, state) set so far
  prometheus::Family<prometheus::Gauge>& component_state =
      BuildGauge()
          .Name("netra_component_state")
          .Help("1 for the state each component is in, 0 for the others")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& start_duration =
      BuildGauge()
          .Name("netra_component_start_duration_seconds")
          .Help("Time from a component's first start attempt to ready, degraded or failed")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& start_attempts =
      BuildGauge()
          .Name("netra_component_start_attempts")
          .Help("Start attempts made per component")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& ready =
      BuildGauge()
          .Name("netra_ready")
          .Help("1 when the instance takes traffic (/health/ready answers 200), else 0")
          .Register(*registry);
  prometheus::Gauge& startup_seconds =
      BuildGauge()
          .Name("netra_startup_duration_seconds")
          .Help("Time from the engine's start to start-up finished (or until now)")
          .Register(*registry)
          .Add({});
  prometheus::Gauge& resident = BuildGauge()
                                    .Name("process_resident_memory_bytes")
                                    .Help("Resident memory size in bytes")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Gauge& fds = BuildGauge()
                               .Name("process_open_fds")
                               .Help("Open file descriptors")
                               .Register(*registry)
                               .Add({});
  // A counter, as Prometheus's conventions require of a _total name (promtool checks it): each
  // render adds what the process used since the last one.
  prometheus::Counter& cpu = BuildCounter()
                                 .Name("process_cpu_seconds_total")
                                 .Help("User and system CPU time spent in seconds")
                                 .Register(*registry)
                                 .Add({});
  std::mutex cpu_mutex;  // two scrapes at once must not both add the same interval
  prometheus::Gauge& start_time = BuildGauge()
                                      .Name("process_start_time_seconds")
                                      .Help("Start time of the process since the Unix epoch")
                                      .Register(*registry)
                                      .Add({});
  // Families published through the HealthRegistry, made at their first scrape.
  std::mutex published_mutex;  // scrapes may run at once on the offload pool
  std::unordered_map<std::string, prometheus::Family<prometheus::Gauge>*> published_gauges;
  std::unordered_map<std::string, prometheus::Family<prometheus::Counter>*> published_counters;
  prometheus::Family<prometheus::Gauge>& build_info =
      BuildGauge()
          .Name("netra_build_info")
          .Help("Always 1; labels carry the version and commit")
          .Register(*registry);
};

namespace {

prometheus::Labels labels_of(const core::HealthRegistry::FamilySnapshot& family,
                             const core::HealthRegistry::Series& series) {
  if (family.label.empty()) return {};
  return {{family.label, series.label_value}};
}

void render_published(Metrics::Families& f, const core::HealthRegistry::FamilySnapshot& family) {
  std::lock_guard lock(f.published_mutex);
  if (family.counter) {
    auto& slot = f.published_counters[family.name];
    if (slot == nullptr)
      slot = &BuildCounter().Name(family.name).Help(family.help).Register(*f.registry);
    for (const auto& series : family.series) {
      auto& counter = slot->Add(labels_of(family, series));
      // The source keeps the total; the counter catches up with it.
      if (series.value > counter.Value()) counter.Increment(series.value - counter.Value());
    }
    return;
  }
  auto& slot = f.published_gauges[family.name];
  if (slot == nullptr)
    slot = &BuildGauge().Name(family.name).Help(family.help).Register(*f.registry);
  for (const auto& series : family.series) slot->Add(labels_of(family, series)).Set(series.value);
}

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}
}  // namespace

Metrics::Metrics(const std::string& version, const std::string& commit)
    : families_(std::make_unique<Families>()) {
  static std::atomic<uint64_t> next_id{0};
  id_ = ++next_id;
  families_->build_info.Add({{"version", version}, {"commit", commit}}).Set(1);
}

Metrics::~Metrics() = default;

// A plain atomic on the request path; the gauge is set from it when /metrics renders.
void Metrics::http_request_started() {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::http_request_finished(const std::string& route, const std::string& method, int status,
                                    double seconds) {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  // The warning checks' 5xx rate leaves the probes out: their 503 says "not ready", not "failed".
  if (!route.starts_with("GET /health")) {
    answers_.fetch_add(1, std::memory_order_relaxed);
    if (status >= 500) errors_.fetch_add(1, std::memory_order_relaxed);
  }
  // Family::Add takes the family's lock and hashes every label on each call; the series of a
  // (route, method, status) never move, so each thread remembers where they are.
  struct Series {
    std::string route;
    std::string method;
    int status;
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
  };
  thread_local std::unordered_multimap<size_t, Series> cache;
  thread_local uint64_t cache_owner = 0;
  if (cache_owner != id_) {  // another Metrics instance (tests) on this thread
    cache.clear();
    cache_owner = id_;
  }
  const size_t key = std::hash<std::string>{}(route) ^ (std::hash<std::string>{}(method) << 1) ^
                     static_cast<size_t>(status) * 0x9e3779b97f4a7c15ULL;
  auto [first, last] = cache.equal_range(key);
  for (auto it = first; it != last; ++it) {
    auto& series = it->second;
    if (series.status == status && series.route == route && series.method == method) {
      series.requests->Increment();
      series.duration->Observe(seconds);
      return;
    }
  }
  auto& requests = families_->requests.Add(
      {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
  auto& duration =
      families_->duration.Add({{"route", route}, {"method", method}}, duration_buckets());
  cache.emplace(key, Series{route, method, status, &requests, &duration});
  requests.Increment();
  duration.Observe(seconds);
}

double Metrics::take_longest_pool_wait() {
  return static_cast<double>(longest_pool_wait_ns_.exchange(0, std::memory_order_relaxed)) / 1e9;
}

Metrics::Answers Metrics::answers() const {
  return {answers_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed)};
}

void Metrics::dependency_call(std::string_view dependency, std::string_view operation,
                              double seconds, bool ok) {
  struct Series {
    prometheus::Histogram* duration;
    prometheus::Counter* failures;
  };
  thread_local std::unordered_map<std::string, Series> cache;  // "dependency\0operation"
  thread_local uint64_t cache_owner = 0;
  if (cache_owner != id_) {
    cache.clear();
    cache_owner = id_;
  }
  thread_local std::string key;
  key.assign(dependency);
  key.push_back('\0');
  key.append(operation);
  auto found = cache.find(key);
  if (found == cache.end()) {
    const prometheus::Labels labels{{"dependency", std::string(dependency)},
                                    {"operation", std::string(operation)}};
    found =
        cache
            .emplace(key, Series{&families_->dependency_duration.Add(labels, duration_buckets()),
                                 &families_->dependency_failures.Add(labels)})
            .first;
  }
  found->second.duration->Observe(seconds);
  if (!ok) found->second.failures->Increment();
}

void Metrics::database_acquired(double wait_seconds, bool busy) {
  families_->db_acquire_wait.Observe(wait_seconds);
  const auto ns = static_cast<int64_t>(wait_seconds * 1e9);
  auto longest = longest_pool_wait_ns_.load(std::memory_order_relaxed);
  while (ns > longest &&
         !longest_pool_wait_ns_.compare_exchange_weak(longest, ns, std::memory_order_relaxed)) {
  }
  if (busy) families_->db_acquire_timeouts.Increment();
}

void Metrics::database_failed(const std::string& code) {
  families_->db_errors.Add({{"code", code}}).Increment();
}

void Metrics::loop_lag(const std::string& loop, double seconds) {
  // Down to 100 µs, an idle loop's drift; up to 5 s, past the watchdog's default threshold.
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  families_->loop_lag.Add({{"loop", loop}}, kBuckets).Observe(seconds);
  constexpr auto kWindow = std::chrono::seconds(10);
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(families_->lag_mutex);
  auto& window = families_->lag_windows[loop];
  if (now - window.started >= kWindow) {
    window.previous_max = window.current_max;
    window.current_max = 0;
    window.started = now;
  }
  window.last = seconds;
  window.current_max = std::max(window.current_max, seconds);
}

std::vector<Metrics::LoopLag> Metrics::loop_lags() const {
  const std::lock_guard lock(families_->lag_mutex);
  std::vector<LoopLag> out;
  for (const auto& [loop, window] : families_->lag_windows) {
    out.push_back({loop, window.last, std::max(window.current_max, window.previous_max)});
  }
  return out;
}

void Metrics::job_ended(const std::string& kind, const std::string& outcome, double seconds) {
  families_->jobs_ended.Add({{"kind", kind}, {"outcome", outcome}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.01, 0.1, 1, 10, 60, 300, 1800};
  families_->job_run.Add({{"kind", kind}}, kBuckets).Observe(seconds);
}

void Metrics::set_job_counts(const std::vector<JobCount>& counts, double oldest_waiting_seconds) {
  auto& f = *families_;
  std::lock_guard lock(f.jobs_mutex);
  // A (kind, state) that had jobs and has none now reads 0, not its last count.
  for (const auto& [kind, state] : f.job_series)
    f.jobs.Add({{"kind", kind}, {"state", state}}).Set(0);
  for (const auto& c : counts) {
    f.job_series.emplace(c.kind, c.state);
    f.jobs.Add({{"kind", c.kind}, {"state", c.state}}).Set(c.jobs);
  }
  f.jobs_oldest_waiting.Set(oldest_waiting_seconds);
}

std::string Metrics::render(const core::StartupReport& report, const core::HealthRegistry* registry,
                            std::optional<bool> ready) {
  auto& f = *families_;
  if (registry != nullptr) {
    for (const auto& b : registry->breakers()) {
      for (auto state :
           {core::BreakerState::closed, core::BreakerState::open, core::BreakerState::half_open}) {
        f.breaker_state
            .Add({{"breaker", b.snapshot.name}, {"state", std::string(core::to_string(state))}})
            .Set(b.snapshot.state == state ? 1 : 0);
      }
    }
    for (const auto& family : registry->families()) render_published(f, family);
    for (const auto& p : registry->pools()) {
      f.pool_connections.Add({{"pool", p.name}, {"state", "in_use"}})
          .Set(static_cast<double>(p.stats.in_use));
      f.pool_connections.Add({{"pool", p.name}, {"state", "idle"}})
          .Set(static_cast<double>(p.stats.idle));
      f.pool_connections.Add({{"pool", p.name}, {"state", "waiting"}})
          .Set(static_cast<double>(p.stats.waiting));
      f.pool_max.Add({{"pool", p.name}}).Set(static_cast<double>(p.max_size));
    }
  }
  for (const auto& c : report.components) {
    for (auto state : core::kAllComponentStates) {
      f.component_state.Add({{"component", c.name}, {"state", std::string(core::to_string(state))}})
          .Set(c.state == state ? 1 : 0);
    }
    f.start_duration.Add({{"component", c.name}}).Set(c.took_ms / 1000.0);
    f.start_attempts.Add({{"component", c.name}}).Set(c.attempts);
  }
  f.startup_seconds.Set(report.elapsed_ms / 1000.0);
  if (ready) f.ready.Add({}).Set(*ready ? 1 : 0);
  f.in_flight.Set(static_cast<double>(in_flight_.load(std::memory_order_relaxed)));
  const auto stats = ProcessStats::read_self();
  f.resident.Set(static_cast<double>(stats.resident_bytes));
  f.fds.Set(static_cast<double>(stats.open_fds));
  {
    const std::lock_guard lock(f.cpu_mutex);
    if (stats.cpu_seconds > f.cpu.Value()) f.cpu.Increment(stats.cpu_seconds - f.cpu.Value());
  }
  f.start_time.Set(stats.start_time_seconds);
  return prometheus::TextSerializer().Serialize(f.registry->Collect());
}

}  // namespace netra::telemetry
