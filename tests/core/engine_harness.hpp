// EngineHarness: an Engine on two real event loops with an offload pool, scripted components and
// a journal of what they did (test fixture only).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/engine.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "core/scripted_component.hpp"
#include "support/run_awaitable.hpp"

namespace netra::testing {

class EngineHarness {
 public:
  explicit EngineHarness(core::EngineOptions options = {}) {
    loops_.start();
    options.offload = &offload_;
    options.work_executor = [this] { return loops_.next_executor(); };
    options.on_event = [this](const core::ComponentEvent& e) {
      std::lock_guard lock(mutex_);
      events_.push_back(e);
    };
    engine_ = std::make_unique<core::Engine>(loops_.context(0).get_executor(), std::move(options));
  }

  ~EngineHarness() {
    offload_.shutdown(std::chrono::milliseconds(50));
    loops_.stop(std::chrono::seconds(2));
    engine_.reset();
  }

  // Adds a scripted component with fast default settings (1 s timeouts, 1 attempt).
  void add(core::ComponentSpec spec, Script script = {},
           core::ComponentSettings settings = fast(1)) {
    engine_->add(std::make_shared<ScriptedComponent>(std::move(spec), std::move(script), journal_),
                 settings);
  }

  static core::ComponentSettings fast(int attempts = 1) {
    return {std::chrono::milliseconds(1000),
            std::chrono::milliseconds(1000),
            {attempts, std::chrono::milliseconds(10), std::chrono::milliseconds(40)}};
  }

  core::StartupReport start() {
    return run_awaitable(loops_.context(0).get_executor(), engine_->start());
  }
  void stop() {
    run_awaitable(loops_.context(0).get_executor(),
                  [](core::Engine& e) -> asio::awaitable<void> { co_await e.stop(); }(*engine_));
  }

  core::Engine& engine() { return *engine_; }
  core::EventLoops& loops() { return loops_; }
  core::OffloadPool& offload() { return offload_; }
  Journal& journal() { return *journal_; }
  std::vector<core::ComponentEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  core::EventLoops loops_{2, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{2};
  std::shared_ptr<Journal> journal_ = std::make_shared<Journal>();
  mutable std::mutex mutex_;
  std::vector<core::ComponentEvent> events_;
  std::unique_ptr<core::Engine> engine_;
};

inline core::ComponentSpec spec(std::string name, core::Criticality c,
                                std::vector<core::Dependency> deps = {}) {
  return core::ComponentSpec{std::move(name), c, std::move(deps)};
}

}  // namespace netra::testing
