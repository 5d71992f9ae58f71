// The engine's start-up state machine. Shutdown lives in engine_stop.cpp, reports in
// engine_report.cpp. Over 400 lines because the start-up transitions (wait, attempt, retry,
// degrade, abandon) act on one state and read best side by side.
#include <fmt/format.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/engine_impl.hpp"
#include "core/labelled_executor.hpp"

namespace netra::core {

using namespace std::chrono;

ComponentSettings ComponentSettings::defaults_for(Criticality criticality) {
  switch (criticality) {
    case Criticality::critical:
      return {milliseconds(10000), milliseconds(5000), {3, milliseconds(200), milliseconds(2000)}};
    case Criticality::high:
      return {milliseconds(5000), milliseconds(5000), {3, milliseconds(200), milliseconds(5000)}};
    case Criticality::medium:
    case Criticality::low:
      return {milliseconds(3000), milliseconds(3000), {2, milliseconds(500), milliseconds(10000)}};
  }
  return {};
}

namespace {
asio::awaitable<Status> run_lifecycle(std::shared_ptr<Component> component, bool starting,
                                      LifecycleContext context) {
  // Exceptions stop here: they never cross the component boundary into the engine.
  try {
    // Kept as two statements: g++ 12 mis-destroys a co_await result inside `?:`.
    if (starting) {
      Status status = co_await component->start(context);
      co_return status;
    }
    Status status = co_await component->stop(context);
    co_return status;
  } catch (const std::exception& e) {
    co_return Status::error(e.what());
  } catch (...) {
    co_return Status::error("unknown exception");
  }
}
}  // namespace

Engine::Engine(asio::any_io_executor control, EngineOptions options)
    : impl_(std::make_shared<Impl>(std::move(control), std::move(options))) {}

Engine::~Engine() = default;

void Engine::add(std::shared_ptr<Component> component, ComponentSettings settings) {
  impl_->add(std::move(component), settings);
}

const ComponentGraph& Engine::plan() {
  return impl_->plan();
}

asio::awaitable<StartupReport> Engine::start() {
  auto impl = impl_;
  co_return co_await asio::co_spawn(impl->strand_, impl->run_start(), asio::use_awaitable);
}

asio::awaitable<void> Engine::stop() {
  auto impl = impl_;
  co_await asio::co_spawn(impl->strand_, impl->run_stop(), asio::use_awaitable);
}

StartupReport Engine::report() const {
  return impl_->report();
}

ComponentState Engine::state(const std::string& name) const {
  return impl_->state(name);
}

Engine::Impl::Impl(asio::any_io_executor control, EngineOptions options)
    : strand_(asio::make_strand(control)),
      options_(std::move(options)),
      deadline_timer_(strand_),
      startup_finished_(strand_),
      stop_finished_(strand_) {
  if (!options_.work_executor) options_.work_executor = [control] { return control; };
  if (!options_.random) options_.random = make_random_source();
  if (options_.clock == nullptr) options_.clock = &steady_clock();
}

void Engine::Impl::add(std::shared_ptr<Component> component, ComponentSettings settings) {
  if (graph_) throw std::logic_error("Engine::add after the plan was made");
  settings.retry.attempts = std::max(1, settings.retry.attempts);
  registered_.emplace_back(std::move(component), settings);
}

const ComponentGraph& Engine::Impl::plan() {
  if (graph_) return *graph_;
  std::vector<ComponentSpec> specs;
  for (const auto& [component, settings] : registered_) specs.push_back(component->spec());
  graph_ = ComponentGraph::build(specs, options_.profile);
  std::lock_guard lock(mutex_);
  records_.resize(registered_.size());
  for (size_t i = 0; i < registered_.size(); ++i) {
    auto& r = records_[i];
    r.component = registered_[i].first;
    r.settings = registered_[i].second;
    r.label = "component:" + r.component->name();
    index_[r.component->name()] = i;
    const auto& node = graph_->node(i);
    if (!node.enabled) {
      r.state = ComponentState::disabled;
      r.outcome = "disabled";
      r.reason = node.disabled_reason;
    }
  }
  return *graph_;
}

void Engine::Impl::emit(size_t i, EventSeverity severity, std::string message) {
  queued_events_.push_back(
      {records_[i].component->name(), records_[i].state, severity, std::move(message)});
}

void Engine::Impl::flush_events() {
  std::vector<ComponentEvent> events;
  {
    std::lock_guard lock(mutex_);
    events.swap(queued_events_);
  }
  if (!options_.on_event) return;
  for (const auto& event : events) options_.on_event(event);
}

EventSeverity Engine::Impl::failure_severity(size_t i) const {
  switch (records_[i].component->spec().criticality) {
    case Criticality::critical:
      return EventSeverity::error;
    case Criticality::high:
    case Criticality::medium:
      return EventSeverity::warning;
    case Criticality::low:
      return EventSeverity::info;
  }
  return EventSeverity::warning;
}

std::string Engine::Impl::attempt_text(size_t i) const {
  const auto& r = records_[i];
  if (r.background) return fmt::format("background attempt {}", r.attempts);
  return fmt::format("attempt {} of {}", r.attempts, r.settings.retry.attempts);
}

std::set<std::string> Engine::Impl::ready_dependencies(size_t i) const {
  std::set<std::string> ready;
  for (const auto& edge : graph_->node(i).dependencies) {
    if (records_[edge.to].state == ComponentState::ready) {
      ready.insert(records_[edge.to].component->name());
    }
  }
  return ready;
}

asio::awaitable<StartupReport> Engine::Impl::run_start() {
  plan();  // throws GraphError before anything starts
  bool already_finished = false;
  locked([&] {
    if (phase_ != Phase::idle) throw std::logic_error("Engine::start called twice");
    phase_ = Phase::starting;
    t0_ = options_.clock->now();
    const auto& nodes = graph_->nodes();
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].enabled) continue;
      ++unsettled_;
      records_[i].state = ComponentState::waiting;
      for (const auto& edge : nodes[i].dependencies) {
        if (nodes[edge.to].enabled) ++records_[i].unsettled_dependencies;
      }
    }
    deadline_timer_.expires_after(options_.startup_deadline);
    deadline_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->on_deadline();
    });
    startup_finished_.expires_at(asio::steady_timer::time_point::max());
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].enabled)
        records_[i].component->prepare(*options_.offload, options_.work_executor());
    }
    for (size_t i : graph_->topological_order()) {
      if (nodes[i].enabled && records_[i].unsettled_dependencies == 0) evaluate(i);
    }
    if (unsettled_ == 0) finish_startup();
    already_finished = phase_ != Phase::starting;
  });
  if (!already_finished) {
    boost::system::error_code ec;
    co_await startup_finished_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (phase_ == Phase::failed) co_await run_stop();  // stop what had started, in reverse order
  co_return report();
}

// All dependencies have settled: start it, or skip it when something it requires is not ready.
void Engine::Impl::evaluate(size_t i) {
  auto& r = records_[i];
  for (const auto& edge : graph_->node(i).dependencies) {
    const auto& dep = records_[edge.to];
    if (edge.kind != DependencyKind::hard || dep.state == ComponentState::ready) continue;
    r.state = ComponentState::skipped;
    r.outcome = "skipped";
    r.settled_at = options_.clock->now();
    r.reason = fmt::format("requires {}, which is {}", dep.component->name(), to_string(dep.state));
    emit(i, failure_severity(i), "skipped: " + r.reason);
    settle(i);
    return;
  }
  if (phase_ == Phase::deadline) {
    declare_degraded(i, "not started before the start-up deadline");
    return;
  }
  launch(i);
}

void Engine::Impl::launch(size_t i) {
  auto& r = records_[i];
  r.state = ComponentState::starting;
  if (!r.launched) {
    r.launched = true;
    r.first_attempt = options_.clock->now();
    r.waited_ms = offset_ms(r.first_attempt);
  }
  begin_attempt(i);
}

void Engine::Impl::begin_attempt(size_t i) {
  auto& r = records_[i];
  ++r.attempts;
  emit(i, EventSeverity::info, "starting (" + attempt_text(i) + ")");
  LifecycleContext context;
  context.attempt = r.attempts;
  context.max_attempts = r.background ? 0 : r.settings.retry.attempts;
  context.timeout = r.settings.start_timeout;
  context.offload = options_.offload;
  context.ready_dependencies = ready_dependencies(i);
  run_operation(i, OperationKind::start, r.settings.start_timeout, std::move(context));
}

void Engine::Impl::run_operation(size_t i, OperationKind kind, milliseconds timeout,
                                 LifecycleContext context) {
  auto& r = records_[i];
  auto op = std::make_shared<Operation>(asio::make_strand(options_.work_executor()), strand_);
  op->began = options_.clock->now();
  op->kind = kind;
  op->attempt = r.attempts;
  r.operation = op;
  auto weak = weak_from_this();
  asio::co_spawn(
      label_executor(op->executor, r.label.c_str()),
      run_lifecycle(r.component, kind == OperationKind::start, std::move(context)),
      asio::bind_cancellation_slot(
          op->signal.slot(),
          asio::bind_executor(strand_, [weak, i, op](std::exception_ptr error, Status status) {
            auto self = weak.lock();
            if (!self) return;
            if (error) status = Status::error("unexpected exception in the engine's wrapper");
            self->locked([&] { self->on_operation_done(i, op, std::move(status)); });
          })));
  op->timer.expires_after(timeout);
  op->timer.async_wait([weak, i, op](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    self->locked([&] { self->on_operation_timeout(i, op); });
  });
}

// Cancels the attempt on its own strand and never looks at it again.
void Engine::Impl::abandon(const std::shared_ptr<Operation>& op) {
  if (op->done) return;
  op->done = true;
  op->timer.cancel();
  asio::post(op->executor, [op] { op->signal.emit(asio::cancellation_type::terminal); });
}

void Engine::Impl::on_operation_timeout(size_t i, const std::shared_ptr<Operation>& op) {
  if (op->done) return;
  abandon(op);
  const auto& r = records_[i];
  const auto limit =
      op->kind == OperationKind::start ? r.settings.start_timeout : r.settings.stop_timeout;
  const std::string text = fmt::format("timed out after {} ms ({})", limit.count(),
                                       op->kind == OperationKind::start ? attempt_text(i) : "stop");
  if (op->kind == OperationKind::start) {
    on_start_failed(i, "timed out", text);
  } else {
    on_stopped(i, Status::error(text));
  }
}

void Engine::Impl::on_operation_done(size_t i, const std::shared_ptr<Operation>& op,
                                     Status status) {
  if (op->done) {
    // An abandoned attempt finished after all; nothing waits for it any more.
    emit(i, EventSeverity::info,
         fmt::format("abandoned {} attempt {} finished {} ms later: {}",
                     op->kind == OperationKind::start ? "start" : "stop", op->attempt,
                     static_cast<long long>(elapsed_ms(op->began, options_.clock->now())),
                     status ? "ok" : status.message()));
    return;
  }
  op->done = true;
  op->timer.cancel();
  if (op->kind == OperationKind::stop) {
    on_stopped(i, status);
  } else if (status) {
    on_start_succeeded(i);
  } else {
    on_start_failed(i, "error", status.message());
  }
}

void Engine::Impl::on_start_succeeded(size_t i) {
  auto& r = records_[i];
  const auto now = options_.clock->now();
  r.history.push_back({r.attempts, elapsed_ms(r.operation->began, now), "ok", "", -1});
  r.operation.reset();
  const bool healed = r.background;
  r.state = ComponentState::ready;
  r.outcome = healed ? "recovered" : "ready";
  r.ready_at = now;
  r.error.clear();
  r.background = false;
  if (r.settled_at == Clock::time_point{}) r.settled_at = now;
  emit(i, EventSeverity::info,
       fmt::format("{} in {:.1f} ms ({})", healed ? "recovered" : "ready", r.history.back().took_ms,
                   attempt_text(i)));
  if (!r.settled) settle(i);
  if (healed) heal_dependents(i);
}

void Engine::Impl::on_start_failed(size_t i, const std::string& outcome, const std::string& error) {
  auto& r = records_[i];
  r.history.push_back(
      {r.attempts, elapsed_ms(r.operation->began, options_.clock->now()), outcome, error, -1});
  r.operation.reset();
  r.error = error;
  if (phase_ == Phase::failed || phase_ == Phase::stopping || phase_ == Phase::stopped) return;
  if (r.background) {
    emit(i, failure_severity(i), fmt::format("{} failed: {}", attempt_text(i), error));
    schedule_retry(i, r.attempts, true);
    return;
  }
  if (r.attempts < r.settings.retry.attempts) {
    schedule_retry(i, r.attempts, false);
    return;
  }
  if (r.component->spec().criticality == Criticality::critical) {
    r.state = ComponentState::failed;
    r.outcome = "failed";
    r.settled_at = options_.clock->now();
    emit(i, EventSeverity::error, fmt::format("failed: {} ({})", error, attempt_text(i)));
    fail_startup(fmt::format("critical component '{}' failed after {} attempt(s): {}",
                             r.component->name(), r.attempts, error));
    return;
  }
  declare_degraded(i, fmt::format("{} ({})", error, attempt_text(i)));
}

void Engine::Impl::schedule_retry(size_t i, int failures, bool background) {
  auto& r = records_[i];
  const auto delay = r.settings.retry.backoff(failures, options_.random());
  if (!r.history.empty()) r.history.back().backoff_ms = static_cast<double>(delay.count());
  if (!background) {
    emit(i, failure_severity(i),
         fmt::format("{} failed: {}; retrying in {} ms", attempt_text(i), r.error, delay.count()));
  }
  if (!r.retry_timer) r.retry_timer = std::make_unique<asio::steady_timer>(strand_);
  r.retry_timer->expires_after(delay);
  const uint64_t generation = ++r.retry_generation;
  r.retry_timer->async_wait([weak = weak_from_this(), i, generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    self->locked([&] {
      if (self->records_[i].retry_generation != generation) return;
      const auto phase = self->phase_;
      if (phase == Phase::failed || phase == Phase::stopping || phase == Phase::stopped) return;
      self->begin_attempt(i);
    });
  });
}

// A non-critical component gave up for now: the service runs without it and the engine keeps
// retrying it in the background; what requires it is skipped until it recovers.
void Engine::Impl::declare_degraded(size_t i, const std::string& why) {
  auto& r = records_[i];
  r.state = ComponentState::degraded;
  r.outcome = "degraded";
  r.background = true;
  if (!r.launched) {
    r.launched = true;
    r.first_attempt = options_.clock->now();
    r.waited_ms = offset_ms(r.first_attempt);
  }
  if (r.settled_at == Clock::time_point{}) r.settled_at = options_.clock->now();
  emit(i, failure_severity(i), "degraded: " + why + "; retrying in the background");
  if (!r.settled) settle(i);
  schedule_retry(i, std::max(1, r.attempts), true);
}

void Engine::Impl::settle(size_t i) {
  auto& r = records_[i];
  if (r.settled) return;
  r.settled = true;
  --unsettled_;
  for (size_t d : graph_->node(i).dependents) {
    auto& dependent = records_[d];
    if (dependent.state != ComponentState::waiting) continue;
    if (--dependent.unsettled_dependencies == 0) evaluate(d);
  }
  if (unsettled_ == 0 && phase_ == Phase::starting) finish_startup();
}

// `i` recovered: start what was skipped because it required `i`, if nothing else is missing.
void Engine::Impl::heal_dependents(size_t i) {
  if (phase_ != Phase::running && phase_ != Phase::starting) return;
  for (size_t d : graph_->node(i).dependents) {
    auto& dependent = records_[d];
    if (dependent.state != ComponentState::skipped) continue;
    bool all_ready = true;
    for (const auto& edge : graph_->node(d).dependencies) {
      if (edge.kind == DependencyKind::hard && records_[edge.to].state != ComponentState::ready) {
        all_ready = false;
      }
    }
    if (!all_ready) continue;
    emit(d, EventSeverity::info,
         "starting now that " + records_[i].component->name() + " is ready");
    dependent.reason.clear();
    dependent.attempts = 0;
    dependent.settled_at = {};  // its start-up clock runs again
    launch(d);
  }
}

void Engine::Impl::fail_startup(std::string failure) {
  phase_ = Phase::failed;
  outcome_ = StartupOutcome::failed;
  failure_ = std::move(failure);
  const auto now = options_.clock->now();
  for (size_t i = 0; i < records_.size(); ++i) {
    auto& r = records_[i];
    cancel_retry(r);
    if (r.state == ComponentState::starting || r.state == ComponentState::degraded) {
      if (r.operation) abandon(r.operation);
      if (r.state == ComponentState::starting) {
        r.state = ComponentState::stopped;
        r.outcome = "cancelled";
        r.reason = "start-up abandoned";  // why: the report's failure
        r.settled_at = now;
      }
    } else if (r.state == ComponentState::waiting) {
      r.state = ComponentState::skipped;
      r.outcome = "skipped";
      r.settled_at = now;
      r.reason = "start-up abandoned";
    }
  }
  finish_startup();
}

void Engine::Impl::finish_startup() {
  finished_at_ = options_.clock->now();
  deadline_timer_.cancel();
  if (phase_ == Phase::starting || phase_ == Phase::deadline) {
    phase_ = Phase::running;
    outcome_ = StartupOutcome::ready;
    for (const auto& r : records_) {
      if (r.state == ComponentState::degraded || r.state == ComponentState::skipped) {
        outcome_ = StartupOutcome::degraded;
      }
    }
  }
  startup_finished_.cancel();
}

void Engine::Impl::on_deadline() {
  locked([&] {
    if (phase_ != Phase::starting) return;
    phase_ = Phase::deadline;
    std::vector<std::string> critical;
    for (size_t i : graph_->topological_order()) {
      auto& r = records_[i];
      if (r.settled || !graph_->node(i).enabled) continue;
      std::string what =
          r.state == ComponentState::starting
              ? fmt::format("{} (starting, {})", r.component->name(), attempt_text(i))
              : fmt::format("{} ({})", r.component->name(), to_string(r.state));
      pending_at_deadline_.push_back(what);
      if (r.component->spec().criticality == Criticality::critical) {
        critical.push_back(what);
        continue;
      }
      if (r.state == ComponentState::starting) {
        if (r.operation) {
          abandon(r.operation);
          r.history.push_back({r.attempts, elapsed_ms(r.operation->began, options_.clock->now()),
                               "timed out", "start-up deadline passed", -1});
          r.operation.reset();
        }
        cancel_retry(r);
        r.error = fmt::format("start-up deadline of {} ms passed ({})",
                              options_.startup_deadline.count(), attempt_text(i));
        declare_degraded(i, r.error);
      } else if (r.state == ComponentState::waiting) {
        declare_degraded(i, "not started before the start-up deadline");
      }
    }
    if (!critical.empty()) {
      std::string names;
      for (const auto& c : critical) names += (names.empty() ? "" : ", ") + c;
      fail_startup(
          fmt::format("start-up deadline of {} ms passed with critical component(s) pending: {}",
                      options_.startup_deadline.count(), names));
      for (size_t i = 0; i < records_.size(); ++i) {
        auto& r = records_[i];
        if (r.component->spec().criticality == Criticality::critical && !r.settled) {
          r.state = ComponentState::failed;
          r.outcome = "failed";
          r.error = "start-up deadline passed";
        }
      }
    } else {
      finish_startup();
    }
  });
}

}  // namespace netra::core
