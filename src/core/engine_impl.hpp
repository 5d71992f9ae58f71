// Engine::Impl: the engine's state machine. Every member function runs on the engine's strand;
// mutex_ guards the records only so that report() can read them from any thread.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/engine.hpp"

namespace netra::core {

class Engine::Impl : public std::enable_shared_from_this<Engine::Impl> {
 public:
  using Strand = asio::strand<asio::any_io_executor>;

  Impl(asio::any_io_executor control, EngineOptions options);

  void add(std::shared_ptr<Component> component, ComponentSettings settings);
  const ComponentGraph& plan();
  asio::awaitable<StartupReport> run_start();
  asio::awaitable<void> run_stop();
  StartupReport report() const;
  ComponentState state(const std::string& name) const;

  Strand strand_;

 private:
  enum class Phase { idle, starting, deadline, running, failed, stopping, stopped };
  enum class OperationKind { start, stop };

  // One start or stop attempt. Abandoned (done = true) on timeout; a late completion is ignored.
  struct Operation {
    Operation(Strand work, const Strand& engine) : executor(std::move(work)), timer(engine) {}
    Strand executor;  // the attempt's own strand: the coroutine runs and is cancelled there
    asio::cancellation_signal signal;
    asio::steady_timer timer;
    Clock::time_point began;
    OperationKind kind = OperationKind::start;
    int attempt = 0;
    bool done = false;
  };

  struct Record {
    std::shared_ptr<Component> component;
    ComponentSettings settings;
    std::string label;  // "component:<name>", for the watchdog; stable for the engine's lifetime
    ComponentState state = ComponentState::pending;
    std::string outcome;
    size_t unsettled_dependencies = 0;
    bool settled = false;
    bool launched = false;
    bool background = false;  // retrying after it was declared degraded
    Clock::time_point first_attempt{};
    Clock::time_point settled_at{};
    Clock::time_point ready_at{};
    double waited_ms = 0;
    int attempts = 0;
    std::string error;
    std::string reason;
    std::vector<AttemptRecord> history;
    std::shared_ptr<Operation> operation;
    std::unique_ptr<asio::steady_timer> retry_timer;
    uint64_t retry_generation = 0;  // a retry handler already queued when re-armed is stale
    size_t dependents_left_to_stop = 0;
    bool in_stop_set = false;
  };

  // Runs `change` under the lock, then hands the queued events to the observer.
  template <typename F>
  void locked(F&& change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    flush_events();
  }
  void emit(size_t i, EventSeverity severity, std::string message);
  void flush_events();
  EventSeverity failure_severity(size_t i) const;

  void evaluate(size_t i);
  void launch(size_t i);
  void begin_attempt(size_t i);
  void run_operation(size_t i, OperationKind kind, std::chrono::milliseconds timeout,
                     LifecycleContext context);
  void on_operation_done(size_t i, const std::shared_ptr<Operation>& op, Status status);
  void on_operation_timeout(size_t i, const std::shared_ptr<Operation>& op);
  void abandon(const std::shared_ptr<Operation>& op);
  static void cancel_retry(Record& r) {
    ++r.retry_generation;
    if (r.retry_timer) r.retry_timer->cancel();
  }
  void on_start_succeeded(size_t i);
  void on_start_failed(size_t i, const std::string& outcome, const std::string& error);
  void schedule_retry(size_t i, int failures, bool background);
  void declare_degraded(size_t i, const std::string& why);
  void settle(size_t i);
  void heal_dependents(size_t i);
  void fail_startup(std::string failure);
  void finish_startup();
  void on_deadline();
  void begin_stop();
  void stop_component(size_t i);
  void on_stopped(size_t i, const Status& status);

  std::string attempt_text(size_t i) const;
  std::set<std::string> ready_dependencies(size_t i) const;
  double offset_ms(Clock::time_point t) const { return elapsed_ms(t0_, t); }
  ComponentReport build_component_report(size_t i) const;

  EngineOptions options_;
  std::vector<std::pair<std::shared_ptr<Component>, ComponentSettings>> registered_;
  std::optional<ComponentGraph> graph_;
  std::vector<Record> records_;
  std::map<std::string, size_t, std::less<>> index_;  // name → record

  mutable std::mutex mutex_;
  std::vector<ComponentEvent> queued_events_;

  Phase phase_ = Phase::idle;
  Clock::time_point t0_{};
  Clock::time_point finished_at_{};
  StartupOutcome outcome_ = StartupOutcome::in_progress;
  std::string failure_;
  std::vector<std::string> pending_at_deadline_;
  size_t unsettled_ = 0;
  size_t stops_left_ = 0;
  asio::steady_timer deadline_timer_;
  asio::steady_timer startup_finished_;  // cancelled to wake run_start()
  asio::steady_timer stop_finished_;     // cancelled to wake run_stop()
};

}  // namespace netra::core
