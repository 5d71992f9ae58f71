// AgentSupervisorComponent (`agent_supervisor`, high; requires database, uses clickhouse): the
// agent runs of this process. Starting first turns every run a previous process left queued or
// running into `interrupted` (it crashed or was killed mid-run) — in a cluster only those whose
// lease lapsed (RunLeases), then and every few seconds after — then opens a Supervisor and
// attaches it to AgentRuns. Stopping detaches it, cancels what runs and waits most of the stop
// timeout for those runs to record how they ended. While it is not running, a run asked for fails
// at once with AGENT_UNAVAILABLE. With `clickhouse` degraded the runs read the embedded store.
#pragma once

#include <memory>

#include "agents/agent_runs.hpp"
#include "agents/chat_completions_client.hpp"
#include "agents/run_leases.hpp"
#include "agents/supervisor.hpp"
#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "net/http_client.hpp"

namespace netra::agents {

class AgentSupervisorComponent final : public core::Component {
 public:
  static constexpr const char* kName = "agent_supervisor";
  static core::ComponentSpec make_spec();

  // `runs` and everything in `deps` must outlive the component. In `health` (when given) it
  // publishes netra_agent_runs{state} and netra_agent_runs_total{outcome}. With `llm` enabled the
  // component owns the language-model client its runs phrase summaries with (deps.llm is set).
  AgentSupervisorComponent(core::ComponentSpec spec, SupervisorOptions options, AgentRuns& runs,
                           RunDependencies deps, LlmSettings llm = {},
                           core::HealthRegistry* health = nullptr,
                           net::CallObserver llm_calls = nullptr);

  // In a cluster (with Redis): hold leases on this instance's runs and sweep only the runs whose
  // lease lapsed, instead of marking every unfinished run interrupted at start. Before start().
  void use_leases(std::shared_ptr<RunLeases> leases) { leases_ = std::move(leases); }
  // In a cluster: agents.max_runs_per_user counts a user's runs on every instance. Before start().
  void count_users_runs_in(std::shared_ptr<redis::ClusterSlots> places) {
    user_places_ = std::move(places);
  }

  ~AgentSupervisorComponent() override;

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct LeaseLoop;  // the renewing and sweeping loop's shared state (defined in the .cpp)

 private:
  void stop_lease_loop();

  SupervisorOptions options_;
  AgentRuns& runs_;
  // Declared before the supervisor: destroyed after it, and after every run that used them.
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<ChatCompletionsClient> llm_;
  RunDependencies deps_;
  bool repaired_ = false;  // the previous process's runs are marked interrupted
  std::shared_ptr<Supervisor> supervisor_;
  std::shared_ptr<RunLeases> leases_;
  std::shared_ptr<redis::ClusterSlots> user_places_;
  std::shared_ptr<LeaseLoop> lease_loop_;
};

}  // namespace netra::agents
