// AgentSupervisorComponent (`agent_supervisor`, high; requires database, uses clickhouse): the
// agent runs of this process. Starting first turns every run a previous process left queued or
// running into `interrupted` (it crashed or was killed mid-run), then opens a Supervisor and
// attaches it to AgentRuns. Stopping detaches it, cancels what runs and waits most of the stop
// timeout for those runs to record how they ended. While it is not running, a run asked for fails
// at once with AGENT_UNAVAILABLE. With `clickhouse` degraded the runs read the embedded store.
#pragma once

#include <memory>

#include "agents/agent_runs.hpp"
#include "agents/supervisor.hpp"
#include "core/component.hpp"

namespace netra::agents {

class AgentSupervisorComponent final : public core::Component {
 public:
  static constexpr const char* kName = "agent_supervisor";
  static core::ComponentSpec make_spec();

  // `runs` and everything in `deps` must outlive the component.
  AgentSupervisorComponent(core::ComponentSpec spec, SupervisorOptions options, AgentRuns& runs,
                           RunDependencies deps);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  SupervisorOptions options_;
  AgentRuns& runs_;
  RunDependencies deps_;
  bool repaired_ = false;  // the previous process's runs are marked interrupted
  std::shared_ptr<Supervisor> supervisor_;
};

}  // namespace netra::agents
