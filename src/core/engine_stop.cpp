// Shutdown: components stop in reverse dependency order — each one once everything that depends
// on it has stopped — concurrently where the graph allows, each under its own stop timeout.
#include <fmt/format.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/engine_impl.hpp"

namespace netra::core {

asio::awaitable<void> Engine::Impl::run_stop() {
  bool wait = false;
  locked([&] {
    if (phase_ == Phase::stopping || phase_ == Phase::stopped) return;
    begin_stop();
    wait = stops_left_ > 0;
    if (!wait) phase_ = Phase::stopped;
  });
  if (wait) {
    boost::system::error_code ec;
    co_await stop_finished_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  // A second caller (stop during a failed start) waits for the first one to finish.
  while (phase_ == Phase::stopping) {
    asio::steady_timer poll(strand_, std::chrono::milliseconds(5));
    boost::system::error_code ec;
    co_await poll.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void Engine::Impl::begin_stop() {
  const bool interrupted_startup = phase_ == Phase::starting || phase_ == Phase::deadline;
  if (!graph_) {
    phase_ = Phase::stopping;
    return;
  }
  phase_ = Phase::stopping;
  if (interrupted_startup) {
    outcome_ = StartupOutcome::failed;
    failure_ = "start-up interrupted by shutdown";
    finished_at_ = options_.clock->now();
  }
  deadline_timer_.cancel();
  startup_finished_.cancel();
  stop_finished_.expires_at(asio::steady_timer::time_point::max());

  for (size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    cancel_retry(r);
    if (r.operation) {
      abandon(r.operation);
      r.operation.reset();
    }
    if (r.state == ComponentState::ready) {
      r.in_stop_set = true;
      ++stops_left_;
    } else if (r.state == ComponentState::starting || r.state == ComponentState::degraded ||
               r.state == ComponentState::waiting) {
      if (r.state != ComponentState::degraded) {
        r.outcome = "cancelled";
        r.reason = "shutdown before it finished starting";
      }
      r.state = ComponentState::stopped;
    }
  }
  for (size_t i = 0; i < records_.size(); ++i) {
    if (!records_[i].in_stop_set) continue;
    for (size_t d : graph_->node(i).dependents) {
      if (records_[d].in_stop_set) ++records_[i].dependents_left_to_stop;
    }
  }
  for (size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].in_stop_set && records_[i].dependents_left_to_stop == 0) stop_component(i);
  }
}

void Engine::Impl::stop_component(size_t i) {
  auto& r = records_[i];
  r.state = ComponentState::stopping;
  emit(i, EventSeverity::info, "stopping");
  LifecycleContext context;
  context.timeout = r.settings.stop_timeout;
  context.offload = options_.offload;
  context.ready_dependencies = ready_dependencies(i);
  run_operation(i, OperationKind::stop, r.settings.stop_timeout, std::move(context));
}

void Engine::Impl::on_stopped(size_t i, const Status& status) {
  auto& r = records_[i];
  r.operation.reset();
  r.state = ComponentState::stopped;
  if (status) {
    emit(i, EventSeverity::info, "stopped");
  } else {
    r.error = "stop: " + status.message();
    emit(i, EventSeverity::warning, "stop failed: " + status.message());
  }
  for (const auto& edge : graph_->node(i).dependencies) {
    auto& dep = records_[edge.to];
    if (dep.in_stop_set && --dep.dependents_left_to_stop == 0) stop_component(edge.to);
  }
  if (--stops_left_ == 0) {
    phase_ = Phase::stopped;
    stop_finished_.cancel();
  }
}

}  // namespace netra::core
