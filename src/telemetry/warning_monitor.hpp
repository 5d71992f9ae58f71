// WarningMonitor: runs the warning checks (telemetry/warning_checks.hpp) every
// monitoring.check_interval_ms on an event loop — reading the metrics, the breakers and, through
// the offload pool, the free space by the SQLite file — and acts on what changed: a log line per
// warning raised or cleared, the list in /health `warnings`, and, with monitoring.webhook_url,
// one JSON POST per change, retried with backoff and never waited for by anything.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/deadline.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/monitoring_settings.hpp"
#include "telemetry/warning_checks.hpp"

namespace netra::core {
class HealthRegistry;
class OffloadPool;
}  // namespace netra::core

namespace netra::telemetry {

namespace asio = boost::asio;

class WarningMonitor : public std::enable_shared_from_this<WarningMonitor> {
 public:
  // POSTs one JSON body within the deadline: "" when the receiver took it (2xx), else why not.
  using Webhook = std::function<asio::awaitable<std::string>(std::string body, core::Deadline)>;

  struct Sources {
    Metrics& metrics;
    core::HealthRegistry& health;
    core::OffloadPool& offload;
    std::string disk_path;  // the directory whose file system to watch; "": none
  };

  // `webhook` may be empty (no monitoring.webhook_url).
  WarningMonitor(asio::any_io_executor executor, Sources sources, MonitoringSettings settings,
                 Webhook webhook, std::string instance_id);

  // Checks every interval until stop(); again after stop().
  void start();
  // Ends the checks; deliveries in flight give up before their next attempt. Thread-safe.
  void stop();
  // One round of checks now, on the monitor's executor (the loop's body).
  asio::awaitable<void> check_once();

  uint64_t webhook_delivered() const { return delivered_.load(); }
  uint64_t webhook_failed() const { return failed_.load(); }

 private:
  static asio::awaitable<void> loop(std::shared_ptr<WarningMonitor> self);
  static asio::awaitable<void> deliver(std::shared_ptr<WarningMonitor> self, std::string body);
  asio::awaitable<Readings> read();
  void announce(const char* event, const Warning& warning);

  asio::any_io_executor executor_;
  Sources sources_;
  const MonitoringSettings settings_;
  Webhook webhook_;
  const std::string instance_id_;
  std::shared_ptr<asio::steady_timer> timer_;
  std::atomic<bool> running_{false};
  WarningBook book_;  // the loop's alone
  Metrics::Answers last_answers_;
  std::atomic<size_t> deliveries_{0};  // webhook sends in flight
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace netra::telemetry
