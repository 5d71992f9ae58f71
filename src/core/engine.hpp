// Engine: starts the components of a validated graph, each the moment its dependencies are up,
// under per-attempt timeouts, retries with backoff and a global deadline; stops them in reverse.
// It never waits on a start that overran its timeout and never joins a stuck thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/component.hpp"
#include "core/component_graph.hpp"
#include "core/component_state.hpp"
#include "core/retry_policy.hpp"
#include "core/startup_report.hpp"

namespace netra::core {

class OffloadPool;

struct ComponentSettings {
  std::chrono::milliseconds start_timeout{5000};  // for one attempt; waiting is not counted
  std::chrono::milliseconds stop_timeout{5000};
  RetryPolicy retry;

  // Critical components get more patience than optional ones.
  static ComponentSettings defaults_for(Criticality criticality);
};

enum class EventSeverity { info, warning, error };

// One line of the start-up story, for the log. Every event names its component.
struct ComponentEvent {
  std::string component;
  ComponentState state = ComponentState::pending;
  EventSeverity severity = EventSeverity::info;
  std::string message;
};

struct EngineOptions {
  std::chrono::milliseconds startup_deadline{60000};
  Profile profile;
  OffloadPool* offload = nullptr;  // handed to components; required
  // Where component coroutines run (round-robin over the event loops). Defaults to the control
  // executor given to the Engine.
  std::function<asio::any_io_executor()> work_executor;
  const Clock* clock = &steady_clock();
  RandomSource random;  // defaults to make_random_source()
  // Called on the engine's strand, never with the engine's lock held; may call report().
  std::function<void(const ComponentEvent&)> on_event;
};

class Engine {
 public:
  // `control` runs the engine's own bookkeeping (on a strand of it).
  Engine(asio::any_io_executor control, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers a component; only before plan() or start().
  void add(std::shared_ptr<Component> component, ComponentSettings settings);

  // Validates the graph and the profile without starting anything; throws GraphError.
  const ComponentGraph& plan();

  // Starts every enabled component and completes when start-up has finished: outcome "ready",
  // "degraded" (non-critical failures; they keep being retried in the background) or "failed"
  // (a critical component failed or the deadline passed while one was pending — everything that
  // had started is stopped, in reverse order, before this completes). Throws GraphError.
  asio::awaitable<StartupReport> start();

  // Stops in reverse dependency order, each stop under its timeout; cancels start attempts and
  // background retries. Safe to call at any time, more than once, also during start().
  asio::awaitable<void> stop();

  // A consistent snapshot; thread-safe, callable at any time (in_progress during start-up).
  StartupReport report() const;
  // One component's state, cheaply (for gating requests); pending for an unknown name.
  ComponentState state(const std::string& name) const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace netra::core
