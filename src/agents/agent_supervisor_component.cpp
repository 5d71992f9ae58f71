#include "agents/agent_supervisor_component.hpp"

#include <boost/asio/this_coro.hpp>

#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

// The engine gives 0 when it sets no timeout; the stop still has to end.
std::chrono::milliseconds share_of(std::chrono::milliseconds timeout, int percent,
                                   std::chrono::milliseconds otherwise) {
  return timeout.count() > 0 ? timeout * percent / 100 : otherwise;
}

// /metrics: netra_agent_runs{state} (running, queued) and netra_agent_runs_total{outcome}, from
// the supervisor attached now (none while agent_supervisor is not running: zeros).
void publish_agent_metrics(core::HealthRegistry& health, AgentRuns& runs) {
  using Series = core::HealthRegistry::Series;
  health.add_family(
      {"netra_agent_runs", "Agent runs executing and waiting for a slot", "state", false, [&runs] {
         const auto s = runs.supervisor();
         const double running = s ? static_cast<double>(s->running()) : 0;
         const double queued = s ? static_cast<double>(s->queued()) : 0;
         return std::vector<Series>{{"running", running}, {"queued", queued}};
       }});
  health.add_family(
      {"netra_agent_runs_total",
       "Agent runs ended, by outcome, and refused: busy (slots and queue full), run_active (the "
       "thread had one), too_many_runs (the user had agents.max_runs_per_user), unavailable "
       "(shutting down)",
       "outcome", true, [&runs] {
         const auto s = runs.supervisor();
         const auto t = s ? s->tally() : Supervisor::Tally{};
         auto n = [](uint64_t v) { return static_cast<double>(v); };
         return std::vector<Series>{{"completed", n(t.completed)},
                                    {"failed", n(t.failed)},
                                    {"cancelled", n(t.cancelled)},
                                    {"timed_out", n(t.timed_out)},
                                    {"busy", n(t.refused_busy)},
                                    {"run_active", n(t.refused_run_active)},
                                    {"too_many_runs", n(t.refused_too_many_runs)},
                                    {"unavailable", n(t.refused_stopping)}};
       }});
}

}  // namespace

core::ComponentSpec AgentSupervisorComponent::make_spec() {
  // Runs live in the database; workload data comes from `clickhouse`, whose store answers from
  // the embedded table while ClickHouse is down — so a soft dependency.
  return {kName,
          core::Criticality::high,
          {core::requires_component("database"), core::uses_component("clickhouse")}};
}

AgentSupervisorComponent::AgentSupervisorComponent(core::ComponentSpec spec,
                                                   SupervisorOptions options, AgentRuns& runs,
                                                   RunDependencies deps, LlmSettings llm,
                                                   core::HealthRegistry* health)
    : core::Component(std::move(spec)), options_(options), runs_(runs), deps_(deps) {
  if (health != nullptr) publish_agent_metrics(*health, runs);
  if (llm.enabled()) {
    http_ = std::make_unique<net::HttpClient>();
    llm_ = std::make_unique<ChatCompletionsClient>(*http_, std::move(llm));
    deps_.llm = llm_.get();
  }
}

asio::awaitable<core::Status> AgentSupervisorComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  if (!repaired_) {
    // Before any run of ours exists: every queued or running run belongs to a process that died.
    const auto deadline = core::Deadline::after(share_of(ctx.timeout, 90, options_.store_timeout));
    auto marked = co_await deps_.runs.mark_interrupted(deadline);
    if (!marked) {
      co_return core::Status::error("could not mark the previous process's runs interrupted: " +
                                    marked.error().message);
    }
    repaired_ = true;
    if (marked.value() > 0) {
      log->warn("{} run(s) left queued or running by the previous process are now interrupted",
                marked.value());
    }
  }
  supervisor_ = std::make_shared<Supervisor>(co_await asio::this_coro::executor, deps_, options_);
  runs_.attach(supervisor_);
  log->info("agent runs: at most {} at once, {} waiting, {} ms each; report summaries {}",
            options_.max_concurrent_runs, options_.max_queued_runs, options_.run_timeout.count(),
            llm_ ? "phrased by a language model" : "computed");
  co_return core::Status::ok();
}

asio::awaitable<core::Status> AgentSupervisorComponent::stop(core::LifecycleContext& ctx) {
  runs_.detach();  // new requests are refused from here on
  if (!supervisor_) co_return core::Status::ok();
  const auto grace = share_of(ctx.timeout, 80, std::chrono::milliseconds(2000));
  const size_t left = co_await supervisor_->stop(grace);
  if (left > 0) {
    // Their coroutines still hold the supervisor; it stays alive with this component.
    co_return core::Status::error(std::to_string(left) + " agent run(s) had not ended after " +
                                  std::to_string(grace.count()) + " ms; they end interrupted");
  }
  if (http_) http_->close_idle();
  telemetry::logger(kName)->info("every agent run has ended");
  co_return core::Status::ok();
}

}  // namespace netra::agents
