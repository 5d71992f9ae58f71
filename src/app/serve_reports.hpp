// What `netra serve` reports about itself outside the service's components: the start-up report
// and the engine's events in the log, each HTTP request in the metrics (and as a span when its
// trace is sampled), and systemd's watchdog pings.
#pragma once

#include <spdlog/common.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "core/engine.hpp"
#include "core/startup_report.hpp"
#include "net/http_server.hpp"
#include "net/systemd_notifier.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/tracer.hpp"

namespace netra::app {

// The log level of an engine event of this severity.
spdlog::level::level_enum level_of(core::EventSeverity severity);

// The start-up report in the log: one JSON line with JSON logs, else its table line by line.
void log_report(const core::StartupReport& report, bool json_logs);

// Feeds the HTTP server's request events into the Prometheus registry, and the requests of
// sampled traces to the tracer as server spans.
class MetricsObserver final : public net::HttpObserver {
 public:
  MetricsObserver(telemetry::Metrics& metrics, const telemetry::Tracer& tracer)
      : metrics_(metrics), tracer_(tracer) {}
  void request_started() override { metrics_.http_request_started(); }
  void request_finished(const std::string& route, const std::string& method, int status,
                        double seconds) override;
  void request_traced(const net::HttpRequest& request, const std::string& route, int status,
                      double seconds) override;

 private:
  telemetry::Metrics& metrics_;
  const telemetry::Tracer& tracer_;
};

// Pings systemd's watchdog every `every` from the loop it runs on, so a stuck loop stops the
// pings.
boost::asio::awaitable<void> systemd_watchdog(const net::SystemdNotifier& notifier,
                                              std::chrono::microseconds every);

}  // namespace netra::app
