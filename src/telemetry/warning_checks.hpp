// The warning checks: what the monitor read in one interval (Readings), the warnings those
// readings raise against the thresholds of MonitoringSettings, and WarningBook, which remembers
// since when each warning holds and tells what was raised and cleared. Plain values, no I/O: the
// WarningMonitor gathers the readings and acts on the changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/monitoring_settings.hpp"

namespace netra::telemetry {

struct Readings {
  std::string laggiest_loop;  // the loop with the worst recent lag, and that lag
  double loop_lag_seconds = 0;
  double pool_wait_seconds = 0;  // the longest database pool wait of the interval
  uint64_t answers = 0;          // HTTP answers in the interval, and how many were 5xx
  uint64_t errors = 0;
  std::string disk_path;                    // where the SQLite file lives ("" without one)
  std::optional<uint64_t> disk_free_bytes;  // nullopt: not known
  std::vector<std::string> open_breakers;
};

struct Warning {
  std::string kind;  // "loop_lag", "pool_wait", "error_rate", "disk_free", "breaker_open:<name>"
  std::string message;
  double since_unix = 0;  // when it was first raised (kept while it holds)
};

// The warnings `readings` raise; `since_unix` is left 0.
std::vector<Warning> check_warnings(const Readings& readings, const MonitoringSettings& limits);

class WarningBook {
 public:
  struct Changes {
    std::vector<Warning> raised;   // not held before
    std::vector<Warning> cleared;  // held before, not now (with their last message)
  };
  // Replaces what holds with `now` (a warning held before keeps its since_unix and takes the new
  // message) and returns what changed.
  Changes update(std::vector<Warning> now, double now_unix);
  const std::vector<Warning>& current() const { return current_; }

 private:
  std::vector<Warning> current_;
};

}  // namespace netra::telemetry
