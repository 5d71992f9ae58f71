#include "app/serve.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/auth_routes.hpp"
#include "app/serve_reports.hpp"
#include "auth/auth_state.hpp"
#include "core/allocator.hpp"
#include "core/build_info.hpp"
#include "core/cpu_budget.hpp"
#include "core/engine.hpp"
#include "core/event_loops.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "core/task_failures.hpp"
#include "core/watchdog.hpp"
#include "net/admin_token.hpp"
#include "net/health_routes.hpp"
#include "net/http_server.hpp"
#include "net/json_error.hpp"
#include "net/systemd_notifier.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/metrics_component.hpp"
#include "telemetry/tracer.hpp"

namespace netra::app {
namespace {

using namespace std::chrono;
namespace asio = boost::asio;

size_t loop_count(const ProcessSettings& process, size_t usable_cores) {
  return process.threads > 0 ? process.threads : core::default_event_loops(usable_cores);
}

// One run of the service: what it is made of (in the order it is made; torn down in reverse),
// and the steps serve() takes through it.
class Service {
 public:
  Service(const Config& config, const ServiceDefinition& definition)
      : config_(config),
        definition_(definition),
        process_(config.settings().process),
        json_logs_(telemetry::resolve_log_format(process_.log_format) ==
                   telemetry::LogFormat::json),
        usable_cores_(core::usable_cores()),
        loops_(loop_count(process_, usable_cores_),
               std::max(milliseconds(1), process_.watchdog_threshold / 5)),
        offload_(process_.offload_threads),
        metrics_(core::kVersion, core::kCommit),
        observer_(metrics_, tracer_),
        notifier_(net::SystemdNotifier::from_environment()),
        engine_(loops_.context(0).get_executor(), engine_options()),
        server_(loops_, listener_settings(), router_, server_hooks()),
        parts_{config_,          config_.settings(),
               offload_,         server_,
               metrics_,         report(),
               health_,          auth_state_,
               loop_executors(), [this] { return draining_.load(); },
               tracer_} {}

  // The offload pool as /health, /status and /metrics show pools (threads busy, calls queued),
  // and the time its calls waited for a thread.
  void publish_offload_pool() {
    health_.add_pool("offload", offload_.thread_count(), [this] {
      core::PoolStats stats;
      stats.total = offload_.thread_count();
      stats.in_use = offload_.busy_threads();
      stats.idle = stats.total - std::min(stats.total, stats.in_use);
      stats.waiting = offload_.queued();
      return stats;
    });
    health_.add_family(
        {"netra_offload_wait_seconds_total",
         "Time calls waited for a thread of the offload pool, summed", "", true, [this] {
           return std::vector<core::HealthRegistry::Series>{{"", offload_.waits().waited_seconds}};
         }});
    health_.add_family({"netra_offload_calls_total",
                        "Calls the offload pool ran (the mean wait: the rate of "
                        "netra_offload_wait_seconds_total over this one)",
                        "", true, [this] {
                          return std::vector<core::HealthRegistry::Series>{
                              {"", static_cast<double>(offload_.waits().started)}};
                        }});
  }

  // The probes and /metrics, served whatever the components do.
  void add_builtin_routes() {
    // Error texts of dependencies are for operators: the log, and requests with the admin token.
    auto admin = std::make_shared<net::AdminToken>(config_.settings().api.admin_token);
    net::add_health_routes(
        router_, {report(), [this] { return draining_.load(); }, &health_,
                  [admin](const net::HttpRequest& request) { return admin->admits(request); }});
    router_.add("GET", "/metrics",
                [this](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
                  // Reading /proc for the process gauges goes through the offload pool.
                  auto text = co_await offload_.run([this] {
                    const auto report = engine_.report();
                    const bool ready =
                        net::not_ready_reasons(report, draining_.load(), &health_).empty();
                    return metrics_.render(report, &health_, ready);
                  });
                  auto response = net::json_response(std::move(text));
                  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  co_return response;
                },
                {.needs_component = telemetry::MetricsComponent::kName});
  }

  // Builds every component (dependencies first) and the routes over them, then plans the start;
  // a bad graph or configuration is thrown before anything starts.
  void build() {
    validate_components(definition_.catalog, config_);
    built_ = build_components(definition_.catalog, parts_, engine_);
    // After the build, so routes may hold what components own (the database the chat store uses).
    if (definition_.add_routes) definition_.add_routes(router_, RouteContext(parts_, built_));
    engine_.plan();
  }

  // The listener binds before any component starts, so a hang is always visible from outside.
  bool listen() {
    try {
      server_.listen();
    } catch (const std::system_error& e) {
      log_->critical("{}: {}", e.what(), e.code().message());
      return false;
    }
    if (config_.settings().monitoring.enabled) {
      loops_.observe_lag([this](const core::LoopActivity& loop, std::chrono::nanoseconds lag) {
        metrics_.loop_lag(loop.name(), std::chrono::duration<double>(lag).count());
      });
    }
    core::report_task_failures_to([log = log_](std::string_view task, std::string_view what) {
      log->error("{} ended by an exception nothing caught: {}", task, what);
    });
    loops_.start();
    log_->info("listening on {}:{}", listener_settings().host, server_.port());
    return true;
  }

  void watch_loops() {
    watchdog_ = std::make_unique<core::Watchdog>(
        loops_.activities(), process_.watchdog_threshold, [](const core::StallReport& r) {
          auto wd = telemetry::logger("watchdog");
          if (r.recovered) {
            wd->warn("{} turned again after a stall of {} ms in {}", r.loop, r.stalled_for.count(),
                     r.running);
          } else {
            wd->error("{} has not turned for {} ms; running {}", r.loop, r.stalled_for.count(),
                      r.running);
          }
        });
    if (auto every = notifier_.watchdog_interval()) {
      asio::co_spawn(loops_.context(0), systemd_watchdog(notifier_, *every),
                     core::detached_reporting("the systemd watchdog"));
    }
  }

  // First signal: readiness drops at once, serving goes on for the drain delay, then the engine
  // stops everything in reverse order (stopping `api` drains the server). Second: exit at once.
  void handle_signals() {
    signals_.emplace(loops_.context(0), SIGINT, SIGTERM);
    on_signal_ = [this](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (signals_seen_.fetch_add(1) == 0) {
        log_->info("received {}; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        draining_ = true;
        notifier_.notify("STOPPING=1");
        asio::co_spawn(loops_.context(0), shut_down(), core::detached_reporting("the shutdown"));
        signals_->async_wait(on_signal_);
      } else {
        log_->warn("second signal; exiting at once");
        std::_Exit(130);
      }
    };
    signals_->async_wait(on_signal_);
  }

  // Starts the components under the start-up deadline; the exit code if start-up ends the run.
  int start_components() {
    log_->info(
        "starting {} component(s), profile {}, {} event loop(s) ({}; {} usable core(s)), deadline "
        "{} ms",
        definition_.catalog.size(), process_.profile, loops_.size(),
        process_.threads > 0 ? "server.threads" : "one per core but one", usable_cores_,
        process_.startup_deadline.count());
    auto started = asio::co_spawn(loops_.context(0), engine_.start(), asio::use_future);
    if (started.wait_for(generous_bound()) != std::future_status::ready) {
      log_->critical("start-up did not finish within {} ms; giving up", generous_bound().count());
      log_report(engine_.report(), json_logs_);
      return kExitStartupFailed;
    }
    const auto result = started.get();
    log_report(result, json_logs_);
    if (result.outcome == core::StartupOutcome::failed) {
      log_->error("start-up failed: {}", result.failure);
      return signals_seen_.load() > 0 ? kExitOk : kExitStartupFailed;
    }
    notifier_.notify("READY=1");
    log_->info("{} in {:.1f} ms; serving until SIGTERM or SIGINT", core::to_string(result.outcome),
               result.elapsed_ms);
    core::return_freed_memory();  // on this thread, not a loop: start-up's garbage, given back now
    return kExitOk;
  }

  // Until a signal has run the shutdown sequence (or start-up failed and the listener closes).
  void wait_for_shutdown(int exit_code) {
    if (exit_code == kExitOk && signals_seen_.load() == 0) {
      stopped_.get_future().wait();
    } else if (signals_seen_.load() > 0) {
      const auto bound = process_.drain_delay + generous_bound();
      if (stopped_.get_future().wait_for(bound) != std::future_status::ready) {
        log_->error("shutdown did not finish within {} ms; exiting anyway", bound.count());
      }
    } else {
      // Start-up failed: the engine already stopped what had started; close the listener.
      auto closed =
          asio::co_spawn(loops_.context(0), server_.shutdown(milliseconds(0)), asio::use_future);
      closed.wait_for(seconds(1));
    }
  }

  // Stops the threads, never waiting for one stuck in a blocking call.
  void tear_down(int exit_code) {
    if (signals_) signals_->cancel();
    if (const size_t stuck = offload_.shutdown(milliseconds(200)); stuck > 0) {
      log_->warn("{} offload thread(s) still inside a blocking call; not waiting for them", stuck);
    }
    if (watchdog_) watchdog_->stop();
    if (const size_t stuck = loops_.stop(seconds(1)); stuck > 0) {
      log_->warn("{} event loop(s) stuck in a handler; not waiting for them", stuck);
    }
    log_->info("stopped (exit code {})", exit_code);
  }

 private:
  core::EngineOptions engine_options() {
    core::EngineOptions options;
    options.startup_deadline = process_.startup_deadline;
    options.profile = config_.profile();
    options.offload = &offload_;
    options.work_executor = [this] { return loops_.next_executor(); };
    options.on_event = [](const core::ComponentEvent& e) {
      telemetry::logger(e.component)->log(level_of(e.severity), "{}", e.message);
    };
    return options;
  }

  std::vector<asio::any_io_executor> loop_executors() {
    std::vector<asio::any_io_executor> executors;
    for (size_t i = 0; i < loops_.size(); ++i)
      executors.push_back(loops_.context(i).get_executor());
    return executors;
  }

  net::ServerSettings listener_settings() const {
    auto settings = config_.settings().server;
    if (definition_.auth_port) settings.port = process_.auth_port;
    return settings;
  }

  net::ServerHooks server_hooks() {
    net::ServerHooks hooks;
    hooks.observer = &observer_;
    hooks.trace_sample_ratio = config_.settings().tracing.sample_ratio;
    hooks.tracer = &tracer_;
    hooks.component_unavailable = [this](const std::string& name) -> std::optional<std::string> {
      const auto state = engine_.state(name);
      if (state == core::ComponentState::ready) return std::nullopt;
      return std::string(core::to_string(state));
    };
    hooks.authenticate = [this](std::string token) {
      return api::verify_bearer(auth_state_, std::move(token));
    };
    return hooks;
  }

  std::function<core::StartupReport()> report() {
    return [this] { return engine_.report(); };
  }

  asio::awaitable<void> shut_down() {
    if (process_.drain_delay.count() > 0) {
      log_->info("draining: readiness is 503; serving for {} ms more",
                 process_.drain_delay.count());
      asio::steady_timer delay(co_await asio::this_coro::executor, process_.drain_delay);
      co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_await engine_.stop();
    co_await server_.shutdown(process_.drain_timeout);  // no-op when `api` already drained it
    stopped_.set_value();
  }

  // Bounds a wait the engine itself already bounds, so that even a bug cannot hang the process.
  milliseconds generous_bound() const {
    milliseconds stops{0};
    for (const auto& entry : definition_.catalog)
      stops += settings_for(entry, config_).stop_timeout;
    return process_.startup_deadline + stops + seconds(5);
  }

  const Config& config_;
  const ServiceDefinition& definition_;
  const ProcessSettings& process_;
  const bool json_logs_;
  const size_t usable_cores_;  // read once from /proc and the cgroup: sizes the loops, then logged
  std::shared_ptr<spdlog::logger> log_ = telemetry::logger("netra");
  core::EventLoops loops_;
  core::OffloadPool offload_;
  telemetry::Metrics metrics_;
  telemetry::Tracer tracer_;
  MetricsObserver observer_;
  const net::SystemdNotifier notifier_;
  std::atomic<bool> draining_{false};
  core::Engine engine_;
  net::Router router_;
  auth::AuthState auth_state_;
  net::HttpServer server_;
  core::HealthRegistry health_;
  ProcessParts parts_;
  BuiltComponents built_;
  std::unique_ptr<core::Watchdog> watchdog_;
  std::optional<asio::signal_set> signals_;
  std::function<void(boost::system::error_code, int)> on_signal_;
  std::atomic<int> signals_seen_{0};
  std::promise<void> stopped_;
};

}  // namespace

int serve(const Config& config, const ServiceDefinition& service) {
  Service run(config, service);
  run.add_builtin_routes();
  run.publish_offload_pool();
  run.build();
  if (!run.listen()) return kExitStartupFailed;
  run.watch_loops();
  run.handle_signals();
  const int exit_code = run.start_components();
  run.wait_for_shutdown(exit_code);
  run.tear_down(exit_code);
  return exit_code;
}

}  // namespace netra::app
