#include "app/serve.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/engine.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "core/watchdog.hpp"
#include "telemetry/logging.hpp"

namespace netra::app {
namespace {

using namespace std::chrono;
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
  const auto level = report.outcome == "failed" ? spdlog::level::err : spdlog::level::info;
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

// Bounds a wait the engine itself already bounds, so that even a bug cannot hang the process.
milliseconds generous_bound(const Config& config, const ComponentCatalog& catalog) {
  milliseconds stops{0};
  for (const auto& entry : catalog) {
    stops += config.component_settings(entry.spec.name, entry.spec.criticality).stop_timeout;
  }
  return milliseconds(config.integer("startup.deadline_ms")) + stops + seconds(5);
}

}  // namespace

int serve(const Config& config, const ComponentCatalog& catalog) {
  auto log = telemetry::logger("netra");
  const bool json_logs =
      telemetry::resolve_log_format(config.string("log.format")) == telemetry::LogFormat::json;
  const auto threads = config.integer("server.threads") > 0
                           ? static_cast<size_t>(config.integer("server.threads"))
                           : std::max(1u, std::thread::hardware_concurrency());
  const milliseconds threshold(config.integer("watchdog.threshold_ms"));

  core::EventLoops loops(threads, std::max(milliseconds(1), threshold / 5));
  core::OffloadPool offload(static_cast<size_t>(config.integer("offload.threads")));

  core::EngineOptions options;
  options.startup_deadline = milliseconds(config.integer("startup.deadline_ms"));
  options.profile = config.profile();
  options.offload = &offload;
  options.work_executor = [&loops] { return loops.next_executor(); };
  options.on_event = [](const core::ComponentEvent& e) {
    telemetry::logger(e.component)->log(level_of(e.severity), "{}", e.message);
  };
  core::Engine engine(loops.context(0).get_executor(), options);
  for (const auto& entry : catalog) {
    engine.add(entry.build(BuildContext{config, offload}),
               config.component_settings(entry.spec.name, entry.spec.criticality));
  }
  engine.plan();  // a bad graph is a configuration error before anything starts

  loops.start();
  core::Watchdog watchdog(loops.activities(), threshold, [](const core::StallReport& r) {
    auto wd = telemetry::logger("watchdog");
    if (r.recovered) {
      wd->warn("{} turned again after a stall of {} ms in {}", r.loop, r.stalled_for.count(),
               r.running);
    } else {
      wd->error("{} has not turned for {} ms; running {}", r.loop, r.stalled_for.count(),
                r.running);
    }
  });

  // First signal: stop (also interrupts a start-up in progress). Second: exit at once.
  std::promise<int> stop_requested;
  auto stop_future = stop_requested.get_future();
  std::atomic<int> signals_seen{0};
  asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec,
                                                                      int sig) {
    if (ec) return;
    if (signals_seen.fetch_add(1) == 0) {
      log->info("received {}; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      asio::co_spawn(loops.context(0), engine.stop(), asio::detached);
      stop_requested.set_value(sig);
      signals.async_wait(on_signal);
    } else {
      log->warn("second signal; exiting at once");
      std::_Exit(130);
    }
  };
  signals.async_wait(on_signal);

  log->info("starting {} component(s), profile {}, {} event loop(s), deadline {} ms",
            catalog.size(), config.string("profile"), loops.size(),
            config.integer("startup.deadline_ms"));
  const auto bound = generous_bound(config, catalog);
  auto started = asio::co_spawn(loops.context(0), engine.start(), asio::use_future);
  int exit_code = kExitOk;
  if (started.wait_for(bound) != std::future_status::ready) {
    log->critical("start-up did not finish within {} ms; giving up", bound.count());
    log_report(engine.report(), json_logs);
    exit_code = kExitStartupFailed;
  } else {
    const auto report = started.get();
    log_report(report, json_logs);
    if (report.outcome == "failed") {
      log->error("start-up failed: {}", report.failure);
      exit_code = signals_seen.load() > 0 ? kExitOk : kExitStartupFailed;
    } else {
      log->info("{} in {:.1f} ms; serving until SIGTERM or SIGINT", report.outcome,
                report.elapsed_ms);
      stop_future.wait();
    }
  }

  auto stopped = asio::co_spawn(loops.context(0), engine.stop(), asio::use_future);
  if (stopped.wait_for(bound) != std::future_status::ready) {
    log->error("components did not stop within {} ms; exiting anyway", bound.count());
  }
  signals.cancel();
  if (const size_t stuck = offload.shutdown(milliseconds(200)); stuck > 0) {
    log->warn("{} offload thread(s) still inside a blocking call; not waiting for them", stuck);
  }
  watchdog.stop();
  if (const size_t stuck = loops.stop(seconds(1)); stuck > 0) {
    log->warn("{} event loop(s) stuck in a handler; not waiting for them", stuck);
  }
  log->info("stopped (exit code {})", exit_code);
  return exit_code;
}

}  // namespace netra::app
