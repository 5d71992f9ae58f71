#include "app/serve_reports.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/server_span.hpp"
#include "telemetry/logging.hpp"

namespace netra::app {

namespace asio = boost::asio;

spdlog::level::level_enum level_of(core::EventSeverity severity) {
  switch (severity) {
    case core::EventSeverity::info:
      return spdlog::level::info;
    case core::EventSeverity::warning:
      return spdlog::level::warn;
    case core::EventSeverity::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

void log_report(const core::StartupReport& report, bool json_logs) {
  auto log = telemetry::logger("startup");
  const auto level =
      report.outcome == core::StartupOutcome::failed ? spdlog::level::err : spdlog::level::info;
  if (json_logs) {
    log->log(level, "start-up report {}", core::to_json(report).dump());
    return;
  }
  const auto table = core::to_table(report);
  size_t start = 0;
  while (start < table.size()) {
    const size_t end = table.find('\n', start);
    log->log(level, "{}", table.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

void MetricsObserver::request_finished(const std::string& route, const std::string& method,
                                       int status, double seconds) {
  metrics_.http_request_finished(route, method, status, seconds);
}

void MetricsObserver::request_traced(const net::HttpRequest& request, const std::string& route,
                                     int status, double seconds) {
  if (!tracer_.recording()) return;
  tracer_.record(net::server_span(request, route, status, seconds));
}

asio::awaitable<void> systemd_watchdog(const net::SystemdNotifier& notifier,
                                       std::chrono::microseconds every) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    notifier.notify("WATCHDOG=1");
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace netra::app
