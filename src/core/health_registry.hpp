// HealthRegistry: where components publish what /health, /health/ready and /metrics show beyond
// their state — circuit breakers, pools, the gauges and counters of a part (open sockets...), and
// a component's own details for /health (the job queue).
// Thread-safe; entries live as long as the registry.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/pool.hpp"

namespace netra::core {

struct PoolSnapshot {
  std::string name;
  PoolStats stats;
  size_t max_size = 0;
};

class HealthRegistry {
 public:
  // `critical`: while this breaker is open the service is not ready.
  void add_breaker(const CircuitBreaker& breaker, bool critical);
  void add_pool(std::string name, size_t max_size, std::function<PoolStats()> stats);

  struct BreakerEntry {
    BreakerSnapshot snapshot;
    bool critical = false;
  };
  // A family of numbers read at each scrape: `name` (a Prometheus metric name), one series per
  // label value of `label`. Counters only ever grow; gauges go up and down.
  struct Series {
    std::string label_value;
    double value = 0;
  };
  struct Family {
    std::string name;
    std::string help;
    std::string label;  // empty: one series without labels
    bool counter = false;
    std::function<std::vector<Series>()> read;
  };
  void add_family(Family family);
  struct FamilySnapshot {
    std::string name;
    std::string help;
    std::string label;
    bool counter = false;
    std::vector<Series> series;
  };
  std::vector<FamilySnapshot> families() const;

  std::vector<BreakerEntry> breakers() const;
  std::vector<PoolSnapshot> pools() const;

  // What /health shows of a component beyond its state (its queue...), as the "details" of its
  // entry. Read at every request: `read` answers from what the component keeps in memory, never
  // by calling a dependency.
  void add_details(std::string component, std::function<nlohmann::json()> read);
  std::map<std::string, nlohmann::json> details() const;  // by component name

  // The warnings in force (telemetry::WarningMonitor's), as /health lists them under
  // "warnings": an array of {kind, message, since}.
  void set_warnings(nlohmann::json warnings);
  nlohmann::json warnings() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<const CircuitBreaker*, bool>> breakers_;
  struct Pool {
    std::string name;
    size_t max_size;
    std::function<PoolStats()> stats;
  };
  std::vector<Pool> pools_;
  std::vector<Family> families_;
  std::map<std::string, std::function<nlohmann::json()>> details_;
  nlohmann::json warnings_ = nlohmann::json::array();
};

}  // namespace netra::core
