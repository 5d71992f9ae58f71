// Component: one part of the running service (database, redis, api, ...), started and stopped
// by the Engine in dependency order. A component declares everything the engine needs up front.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/criticality.hpp"
#include "core/status.hpp"

namespace netra::core {

namespace asio = boost::asio;
class OffloadPool;

// `hard` is systemd's Requires=: the dependent cannot start without it.
// `soft` is systemd's Wants=: start after it when it is enabled, carry on without it otherwise.
enum class DependencyKind { hard, soft };
std::string_view to_string(DependencyKind kind);  // "requires" / "uses"

struct Dependency {
  std::string name;
  DependencyKind kind = DependencyKind::hard;
};

inline Dependency requires_component(std::string name) {
  return {std::move(name), DependencyKind::hard};
}
inline Dependency uses_component(std::string name) {
  return {std::move(name), DependencyKind::soft};
}

struct ComponentSpec {
  std::string name;
  Criticality criticality = Criticality::medium;
  std::vector<Dependency> dependencies;
};

// What a component gets for one start or stop attempt. Valid until the attempt's coroutine ends.
struct LifecycleContext {
  int attempt = 1;       // 1-based
  int max_attempts = 1;  // 0 while the engine retries a degraded component in the background
  std::chrono::milliseconds timeout{0};
  OffloadPool* offload = nullptr;  // for blocking calls; never null when run by the Engine
  std::set<std::string> ready_dependencies;  // those of its dependencies that are ready now

  bool dependency_ready(std::string_view name) const {
    return ready_dependencies.find(std::string(name)) != ready_dependencies.end();
  }
};

class Component {
 public:
  explicit Component(ComponentSpec spec) : spec_(std::move(spec)) {}
  virtual ~Component() = default;
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  const ComponentSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  // Both run on an event loop, must not block it (use ctx.offload), and should honour
  // cancellation: when the engine's timeout fires it cancels the coroutine and never waits on it
  // again. An exception thrown here is caught by the engine and reported as the attempt's error.
  virtual asio::awaitable<Status> start(LifecycleContext& ctx) = 0;
  virtual asio::awaitable<Status> stop(LifecycleContext& ctx) = 0;

  // Called once when start-up begins, before any dependency is up (and only for enabled
  // components): a component may begin here work that needs none of its dependencies — reading
  // its files, making a key — on `offload`, so that start() finds it done instead of adding it
  // to the critical path. Must not block or throw; start() must work without it. Default: nothing.
  virtual void prepare(OffloadPool& /*offload*/, const asio::any_io_executor& /*executor*/) {}

 private:
  ComponentSpec spec_;
};

}  // namespace netra::core
