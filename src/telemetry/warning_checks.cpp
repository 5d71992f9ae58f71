#include "telemetry/warning_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netra::telemetry {

std::vector<Warning> check_warnings(const Readings& r, const MonitoringSettings& limits) {
  std::vector<Warning> warnings;
  const double lag_limit = static_cast<double>(limits.loop_lag_warn.count()) / 1000;
  if (lag_limit > 0 && r.loop_lag_seconds > lag_limit) {
    warnings.push_back(
        {"loop_lag",
         fmt::format("event loop {} lagged {:.0f} ms (limit {} ms): a handler "
                     "blocks it or it has more work than it can do",
                     r.laggiest_loop, r.loop_lag_seconds * 1000, limits.loop_lag_warn.count()),
         0});
  }
  const double wait_limit = static_cast<double>(limits.pool_wait_warn.count()) / 1000;
  if (wait_limit > 0 && r.pool_wait_seconds > wait_limit) {
    warnings.push_back({"pool_wait",
                        fmt::format("a call waited {:.0f} ms for a database connection (limit {} "
                                    "ms): the pool is too small or statements are slow",
                                    r.pool_wait_seconds * 1000, limits.pool_wait_warn.count()),
                        0});
  }
  if (limits.error_rate_warn > 0 && r.answers > 0 &&
      r.answers >= static_cast<uint64_t>(limits.error_rate_min_requests)) {
    const double rate = static_cast<double>(r.errors) / static_cast<double>(r.answers);
    if (rate > limits.error_rate_warn) {
      warnings.push_back(
          {"error_rate",
           fmt::format("{} of the last {} answers were 5xx ({:.1f} %, limit {:.1f} %)", r.errors,
                       r.answers, rate * 100, limits.error_rate_warn * 100),
           0});
    }
  }
  const uint64_t disk_limit = static_cast<uint64_t>(limits.disk_free_warn_mb) * 1024 * 1024;
  if (disk_limit > 0 && r.disk_free_bytes && *r.disk_free_bytes < disk_limit) {
    warnings.push_back(
        {"disk_free",
         fmt::format("{} MiB free where the database lives ({}; limit {} MiB)",
                     *r.disk_free_bytes / (1024 * 1024), r.disk_path, limits.disk_free_warn_mb),
         0});
  }
  for (const auto& name : r.open_breakers) {
    warnings.push_back(
        {"breaker_open:" + name,
         "the circuit breaker " + name + " is open: calls to it fail fast after repeated failures",
         0});
  }
  return warnings;
}

WarningBook::Changes WarningBook::update(std::vector<Warning> now, double now_unix) {
  Changes changes;
  const auto held = [](const std::vector<Warning>& list, const std::string& kind) {
    return std::find_if(list.begin(), list.end(), [&](const Warning& w) { return w.kind == kind; });
  };
  for (auto& warning : now) {
    const auto before = held(current_, warning.kind);
    if (before == current_.end()) {
      warning.since_unix = now_unix;
      changes.raised.push_back(warning);
    } else {
      warning.since_unix = before->since_unix;
    }
  }
  for (const auto& warning : current_) {
    if (held(now, warning.kind) == now.end()) changes.cleared.push_back(warning);
  }
  current_ = std::move(now);
  return changes;
}

}  // namespace netra::telemetry
