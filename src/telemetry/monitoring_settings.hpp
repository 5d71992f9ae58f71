// MonitoringSettings: the `monitoring.*` keys of the warnings — how often the checks run, the
// thresholds past which a warning is raised (in the log, /health `warnings` and, optionally, a
// JSON webhook), and that webhook. (monitoring.status_public belongs to the API's /status.)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/settings_schema.hpp"

namespace netra::telemetry {

struct MonitoringSettings {
  // false: no warning checks, no dependency latency histograms or pool-wait metrics of the
  // database, no event-loop lag samples — what bench/monitoring_overhead.sh compares against.
  bool enabled = true;
  std::chrono::milliseconds check_interval{5000};
  std::chrono::milliseconds loop_lag_warn{100};   // worst recent loop lag; 0: never
  std::chrono::milliseconds pool_wait_warn{500};  // worst recent database pool wait; 0: never
  double error_rate_warn = 0.05;                  // share of 5xx answers in one interval; 0: never
  int64_t error_rate_min_requests = 20;           // fewer answers in the interval: no verdict
  int64_t disk_free_warn_mb = 1024;               // free space by the SQLite file; 0: never
  std::string webhook_url;                        // empty: no webhook
  std::chrono::milliseconds webhook_timeout{5000};
};

const core::SettingsSchema<MonitoringSettings>& monitoring_settings_schema();

}  // namespace netra::telemetry
