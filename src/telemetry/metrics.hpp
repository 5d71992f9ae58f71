// Metrics: the service's Prometheus registry — HTTP traffic, component states and start-up,
// process resources and build info — rendered in the text exposition format for /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/health_registry.hpp"
#include "core/startup_report.hpp"

namespace netra::telemetry {

class Metrics {
 public:
  Metrics(const std::string& version, const std::string& commit);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Thread-safe; called for every request.
  void http_request_started();
  void http_request_finished(const std::string& route, const std::string& method, int status,
                             double seconds);

  // How late an event loop's heartbeat timer fired (netra_event_loop_lag_seconds, by loop).
  // Called on that loop's thread a few times a second.
  void loop_lag(const std::string& loop, double seconds);
  // Each loop's last lag and the worst of the last 10 to 20 seconds, for /status.
  struct LoopLag {
    std::string loop;
    double last_seconds = 0;
    double recent_max_seconds = 0;
  };
  std::vector<LoopLag> loop_lags() const;

  // Database pool acquisitions (wait, and whether it ended busy) and failed calls by code.
  void database_acquired(double wait_seconds, bool busy);
  // The longest pool wait since the last call (for the warning checks; one reader).
  double take_longest_pool_wait();
  // HTTP answers since start but the health probes', and how many were 5xx (the warning checks
  // take the difference).
  struct Answers {
    uint64_t total = 0;
    uint64_t errors = 0;
  };
  Answers answers() const;
  void database_failed(const std::string& code);

  // One call to an outbound dependency ("database", "clickhouse", "redis", "llm", "jwks") ended
  // after `seconds`: netra_dependency_duration_seconds by dependency and operation ("SELECT",
  // "clickhouse summary", "GET", "chat gpt-4o-mini"), and netra_dependency_failures_total when it
  // failed. Thread-safe; on the statement path, so each thread caches its series.
  void dependency_call(std::string_view dependency, std::string_view operation, double seconds,
                       bool ok);

  // A background job's attempt ended here (`outcome`: succeeded, failed, retried, dead,
  // cancelled, released) after `seconds`.
  void job_ended(const std::string& kind, const std::string& outcome, double seconds);
  // The queue as last read: jobs by kind and state, and the oldest ready job's wait.
  struct JobCount {
    std::string kind;
    std::string state;
    double jobs = 0;
  };
  void set_job_counts(const std::vector<JobCount>& counts, double oldest_waiting_seconds);

  // Refreshes the component and process gauges from `report`, then renders every family.
  // Breaker and pool gauges come from `registry` when given; `ready` is netra_ready (whether
  // /health/ready answers 200), absent when not given.
  std::string render(const core::StartupReport& report,
                     const core::HealthRegistry* registry = nullptr,
                     std::optional<bool> ready = std::nullopt);

 public:
  struct Families;  // the Prometheus families; opaque outside metrics.cpp

 private:
  std::unique_ptr<Families> families_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> answers_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<int64_t> longest_pool_wait_ns_{0};
  uint64_t id_ = 0;  // tells a thread's cached series of one instance from another's
};

}  // namespace netra::telemetry
