#include "telemetry/warning_monitor.hpp"

#include <sys/statvfs.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "core/task_failures.hpp"
#include "telemetry/logging.hpp"

namespace netra::telemetry {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Deliveries in flight at once; beyond, a change is logged as not sent (a receiver that is down
// must not pile up coroutines).
constexpr size_t kMaxDeliveries = 16;
constexpr int kAttempts = 4;  // the first, then after 1 s, 2 s and 4 s

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<uint64_t> free_bytes(const std::string& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<uint64_t>(fs.f_bavail) * static_cast<uint64_t>(fs.f_frsize);
}

nlohmann::json to_json(const Warning& w) {
  return {{"kind", w.kind}, {"message", w.message}, {"since", w.since_unix}};
}

}  // namespace

WarningMonitor::WarningMonitor(asio::any_io_executor executor, Sources sources,
                               MonitoringSettings settings, Webhook webhook,
                               std::string instance_id)
    : executor_(std::move(executor)),
      sources_(std::move(sources)),
      settings_(std::move(settings)),
      webhook_(std::move(webhook)),
      instance_id_(std::move(instance_id)),
      timer_(std::make_shared<asio::steady_timer>(executor_)) {}

void WarningMonitor::start() {
  if (running_.exchange(true)) return;
  last_answers_ = sources_.metrics.answers();
  sources_.metrics.take_longest_pool_wait();  // the first interval starts now
  asio::co_spawn(executor_, loop(shared_from_this()),
                 core::detached_reporting("the warning monitor"));
}

void WarningMonitor::stop() {
  running_ = false;
  asio::post(executor_, [timer = timer_] { timer->cancel(); });
}

asio::awaitable<void> WarningMonitor::loop(std::shared_ptr<WarningMonitor> self) {
  while (self->running_) {
    self->timer_->expires_after(self->settings_.check_interval);
    co_await self->timer_->async_wait(use_tuple);
    if (!self->running_) break;
    co_await self->check_once();
  }
}

asio::awaitable<Readings> WarningMonitor::read() {
  Readings r;
  for (const auto& lag : sources_.metrics.loop_lags()) {
    if (lag.recent_max_seconds > r.loop_lag_seconds) {
      r.loop_lag_seconds = lag.recent_max_seconds;
      r.laggiest_loop = lag.loop;
    }
  }
  r.pool_wait_seconds = sources_.metrics.take_longest_pool_wait();
  const auto answers = sources_.metrics.answers();
  r.answers = answers.total - last_answers_.total;
  r.errors = answers.errors - last_answers_.errors;
  last_answers_ = answers;
  for (const auto& breaker : sources_.health.breakers()) {
    if (breaker.snapshot.state == core::BreakerState::open) {
      r.open_breakers.push_back(breaker.snapshot.name);
    }
  }
  if (!sources_.disk_path.empty()) {
    r.disk_path = sources_.disk_path;
    // statvfs may block on a network file system: never on the loop.
    // A named callable, not a temporary in the co_await: g++ 12 frees the captures of such a
    // temporary twice.
    auto read_free = [path = sources_.disk_path] { return free_bytes(path); };
    try {
      r.disk_free_bytes = co_await sources_.offload.run(std::move(read_free));
    } catch (const std::exception&) {
      // The pool is full or stopping: no verdict on the disk this time.
    }
  }
  co_return r;
}

asio::awaitable<void> WarningMonitor::check_once() {
  auto readings = co_await read();
  auto changes = book_.update(check_warnings(readings, settings_), unix_now());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& w : book_.current()) list.push_back(to_json(w));
  sources_.health.set_warnings(std::move(list));
  for (const auto& w : changes.raised) announce("raised", w);
  for (const auto& w : changes.cleared) announce("cleared", w);
}

void WarningMonitor::announce(const char* event, const Warning& warning) {
  auto log = logger("monitoring");
  if (std::string_view(event) == "raised") {
    log->warn("warning {}: {}", warning.kind, warning.message);
  } else {
    log->info("warning {} cleared (it held for {:.0f} s)", warning.kind,
              unix_now() - warning.since_unix);
  }
  if (!webhook_) return;
  if (deliveries_.load() >= kMaxDeliveries) {
    log->warn("warning {} {} not sent to the webhook: {} deliveries are still being retried",
              warning.kind, event, kMaxDeliveries);
    failed_.fetch_add(1);
    return;
  }
  nlohmann::json body = {{"source", "netra"},
                         {"instance", instance_id_},
                         {"event", event},
                         {"warning", to_json(warning)},
                         {"at", unix_now()}};
  deliveries_.fetch_add(1);
  asio::co_spawn(executor_, deliver(shared_from_this(), body.dump()),
                 core::detached_reporting("a warning webhook delivery"));
}

asio::awaitable<void> WarningMonitor::deliver(std::shared_ptr<WarningMonitor> self,
                                              std::string body) {
  std::string error;
  std::chrono::milliseconds pause{1000};
  asio::steady_timer backoff(self->executor_);
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    const auto deadline = core::Deadline::after(self->settings_.webhook_timeout);
    error = co_await self->webhook_(body, deadline);
    if (error.empty()) break;
    if (attempt == kAttempts || !self->running_) break;
    backoff.expires_after(pause);
    co_await backoff.async_wait(use_tuple);
    pause *= 2;
  }
  if (error.empty()) {
    self->delivered_.fetch_add(1);
  } else {
    self->failed_.fetch_add(1);
    logger("monitoring")->warn("the warning webhook did not take a change: {}", error);
  }
  self->deliveries_.fetch_sub(1);
}

}  // namespace netra::telemetry
