#include "app/serve.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <csignal>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/auth_routes.hpp"
#include "core/build_info.hpp"
#include "core/engine.hpp"
#include "core/event_loops.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "core/watchdog.hpp"
#include "net/admin_token.hpp"
#include "net/health_routes.hpp"
#include "net/http_server.hpp"
#include "net/json_error.hpp"
#include "net/systemd_notifier.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/metrics_component.hpp"

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

net::ServerSettings server_settings(const Config& config, const std::string& port_key) {
  net::ServerSettings s;
  s.host = config.string("server.host");
  s.port = static_cast<uint16_t>(config.integer(port_key));
  s.body_limit = static_cast<size_t>(config.integer("server.body_limit_bytes"));
  s.header_limit = static_cast<size_t>(config.integer("server.header_limit_bytes"));
  s.request_timeout = milliseconds(config.integer("server.request_timeout_ms"));
  s.idle_timeout = milliseconds(config.integer("server.idle_timeout_ms"));
  s.max_connections = static_cast<size_t>(config.integer("server.max_connections"));
  s.max_connections_per_address =
      static_cast<size_t>(config.integer("server.max_connections_per_address"));
  s.request_deadline = milliseconds(config.integer("server.request_deadline_ms"));
  s.access_log = config.boolean("server.access_log");
  s.trusted_proxies = net::TrustedProxies::parse(config.list("server.trusted_proxies"));
  return s;
}

// Feeds the HTTP server's request events into the Prometheus registry.
class MetricsObserver final : public net::HttpObserver {
 public:
  explicit MetricsObserver(telemetry::Metrics& metrics) : metrics_(metrics) {}
  void request_started() override { metrics_.http_request_started(); }
  void request_finished(const std::string& route, const std::string& method, int status,
                        double seconds) override {
    metrics_.http_request_finished(route, method, status, seconds);
  }

 private:
  telemetry::Metrics& metrics_;
};

// Pings systemd's watchdog from event loop 0, so a stuck loop stops the pings.
asio::awaitable<void> systemd_watchdog(const net::SystemdNotifier& notifier, microseconds every) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    notifier.notify("WATCHDOG=1");
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

// Bounds a wait the engine itself already bounds, so that even a bug cannot hang the process.
milliseconds generous_bound(const Config& config, const ComponentCatalog& catalog) {
  milliseconds stops{0};
  for (const auto& entry : catalog) stops += settings_for(entry, config).stop_timeout;
  return milliseconds(config.integer("startup.deadline_ms")) + stops + seconds(5);
}

}  // namespace

int serve(const Config& config, const ServiceDefinition& service) {
  const auto& catalog = service.catalog;
  auto log = telemetry::logger("netra");
  const bool json_logs =
      telemetry::resolve_log_format(config.string("log.format")) == telemetry::LogFormat::json;
  const auto threads = config.integer("server.threads") > 0
                           ? static_cast<size_t>(config.integer("server.threads"))
                           : std::max(1u, std::thread::hardware_concurrency());
  const milliseconds threshold(config.integer("watchdog.threshold_ms"));
  const milliseconds drain_delay(config.integer("server.drain_delay_ms"));
  const milliseconds drain_timeout(config.integer("server.drain_timeout_ms"));

  core::EventLoops loops(threads, std::max(milliseconds(1), threshold / 5));
  core::OffloadPool offload(static_cast<size_t>(config.integer("offload.threads")));
  telemetry::Metrics metrics(core::kVersion, core::kCommit);
  MetricsObserver observer(metrics);
  const auto notifier = net::SystemdNotifier::from_environment();
  std::atomic<bool> draining{false};

  core::EngineOptions options;
  options.startup_deadline = milliseconds(config.integer("startup.deadline_ms"));
  options.profile = config.profile();
  options.offload = &offload;
  options.work_executor = [&loops] { return loops.next_executor(); };
  options.on_event = [](const core::ComponentEvent& e) {
    telemetry::logger(e.component)->log(level_of(e.severity), "{}", e.message);
  };
  core::Engine engine(loops.context(0).get_executor(), options);
  auto report = [&engine] { return engine.report(); };

  net::Router router;
  net::ServerHooks hooks;
  hooks.observer = &observer;
  hooks.component_unavailable = [&engine](const std::string& name) -> std::optional<std::string> {
    const auto state = engine.state(name);
    if (state == core::ComponentState::ready) return std::nullopt;
    return std::string(core::to_string(state));
  };
  auth::AuthState auth_state;
  hooks.authenticate = [&auth_state](std::string token) {
    return api::verify_bearer(auth_state, std::move(token));
  };
  net::HttpServer server(loops, server_settings(config, service.port_key), router, hooks);
  core::HealthRegistry health;
  std::map<std::string, std::shared_ptr<core::Component>> built;
  BuildContext context{config,
                       offload,
                       server,
                       metrics,
                       report,
                       health,
                       auth_state,
                       [&built](const std::string& name) -> std::shared_ptr<core::Component> {
                         auto it = built.find(name);
                         return it == built.end() ? nullptr : it->second;
                       }};

  // Error texts of dependencies are for operators: the log, and requests with server.admin_token.
  auto admin = std::make_shared<net::AdminToken>(config.string("server.admin_token"));
  net::add_health_routes(
      router, {report, [&draining] { return draining.load(); }, &health,
               [admin](const net::HttpRequest& request) { return admin->admits(request); }});
  router.add("GET", "/metrics",
             [&metrics, &offload, &health,
              report](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
               // Reading /proc for the process gauges goes through the offload pool.
               auto render = [&metrics, &health, report] {
                 return metrics.render(report(), &health);
               };
               auto text = co_await offload.run(std::move(render));
               auto response = net::json_response(std::move(text));
               response.content_type = "text/plain; version=0.0.4; charset=utf-8";
               co_return response;
             },
             {telemetry::MetricsComponent::kName});

  validate_components(catalog, config);  // before anything is built
  for (const auto& entry : catalog) {
    auto component = entry.build(context, spec_for(entry, config));
    built[entry.spec.name] = component;
    engine.add(std::move(component), settings_for(entry, config));
  }
  // After the build, so routes may hold what components own (the database the chat store uses).
  if (service.add_routes) service.add_routes(router, context);
  engine.plan();  // a bad graph is a configuration error before anything starts

  // The listener binds before any component starts, so a hang is always visible from outside.
  try {
    server.listen();
  } catch (const std::system_error& e) {
    log->critical("{}: {}", e.what(), e.code().message());
    return kExitStartupFailed;
  }
  loops.start();
  log->info("listening on {}:{}", config.string("server.host"), server.port());
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
  if (auto every = notifier.watchdog_interval()) {
    asio::co_spawn(loops.context(0), systemd_watchdog(notifier, *every), asio::detached);
  }

  // First signal: readiness drops at once, serving goes on for the drain delay, then the engine
  // stops everything in reverse order (stopping `api` drains the server). Second: exit at once.
  std::promise<void> stopped_promise;
  auto stopped = stopped_promise.get_future();
  std::atomic<int> signals_seen{0};
  asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  auto shutdown = [&]() -> asio::awaitable<void> {
    if (drain_delay.count() > 0) {
      log->info("draining: readiness is 503; serving for {} ms more", drain_delay.count());
      asio::steady_timer delay(co_await asio::this_coro::executor, drain_delay);
      co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_await engine.stop();
    co_await server.shutdown(drain_timeout);  // no-op when `api` already drained it
    stopped_promise.set_value();
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec,
                                                                      int sig) {
    if (ec) return;
    if (signals_seen.fetch_add(1) == 0) {
      log->info("received {}; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      draining = true;
      notifier.notify("STOPPING=1");
      asio::co_spawn(loops.context(0), shutdown(), asio::detached);
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
    const auto result = started.get();
    log_report(result, json_logs);
    if (result.outcome == "failed") {
      log->error("start-up failed: {}", result.failure);
      exit_code = signals_seen.load() > 0 ? kExitOk : kExitStartupFailed;
    } else {
      notifier.notify("READY=1");
      log->info("{} in {:.1f} ms; serving until SIGTERM or SIGINT", result.outcome,
                result.elapsed_ms);
    }
  }
  if (exit_code == kExitOk && signals_seen.load() == 0) {
    stopped.wait();  // until a signal has run the shutdown sequence
  } else if (signals_seen.load() > 0) {
    if (stopped.wait_for(drain_delay + bound) != std::future_status::ready) {
      log->error("shutdown did not finish within {} ms; exiting anyway",
                 (drain_delay + bound).count());
    }
  } else {
    // Start-up failed: the engine already stopped what had started; close the listener.
    auto closed =
        asio::co_spawn(loops.context(0), server.shutdown(milliseconds(0)), asio::use_future);
    closed.wait_for(seconds(1));
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
