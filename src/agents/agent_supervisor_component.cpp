#include "agents/agent_supervisor_component.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/task_failures.hpp"
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
  // the embedded table while ClickHouse is down — so a soft dependency; so is `redis` (run
  // leases in a cluster).
  return {kName,
          core::Criticality::high,
          {core::requires_component("database"), core::uses_component("clickhouse"),
           core::uses_component("redis")}};
}

// Runs while the component is started in a cluster; ended by `stopping` and, at once, by the
// cancellation signal (emitted on `executor`, where the loop runs).
struct AgentSupervisorComponent::LeaseLoop {
  std::atomic<bool> stopping{false};
  asio::any_io_executor executor;
  asio::cancellation_signal signal;
};

namespace {

constexpr const char* kLapsedWhy =
    "its instance stopped (its lease lapsed) while this run was active";
constexpr int64_t kSweepBatch = 100;

// Marks interrupted the unfinished runs (older than the grace) that no instance holds a lease
// on; nothing while Redis does not answer. Each is a conditional update: marked exactly once.
asio::awaitable<void> sweep(chat::RunStore& runs, RunLeases& leases, const Supervisor* ours,
                            std::chrono::milliseconds store_timeout) {
  auto log = telemetry::logger(AgentSupervisorComponent::kName);
  const auto deadline = core::Deadline::after(store_timeout);
  const int64_t before = core::unix_ms_now() - RunLeases::kGrace.count();
  auto unfinished = co_await runs.unfinished(before, kSweepBatch, deadline);
  if (!unfinished) {
    log->warn("lease sweep: {}", unfinished.error().message);
    co_return;
  }
  std::vector<std::string> candidates;
  const auto active = ours != nullptr ? ours->active_runs() : std::vector<std::string>{};
  for (auto& id : unfinished.value()) {
    if (std::find(active.begin(), active.end(), id) == active.end()) candidates.push_back(id);
  }
  if (candidates.empty()) co_return;
  auto held = co_await leases.held(candidates);
  if (!held) co_return;  // Redis does not answer: nobody is swept
  size_t marked = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if ((*held)[i]) continue;
    auto ended = co_await runs.set_status(candidates[i], chat::RunStatus::interrupted,
                                          std::string(kLapsedWhy), deadline);
    if (ended) ++marked;  // conflict: it ended meanwhile, or another instance marked it
  }
  if (marked > 0) log->warn("{} run(s) whose instance stopped are now interrupted", marked);
}

// Renews this instance's leases and sweeps, every RunLeases::kRenewEvery.
asio::awaitable<void> hold_leases(std::shared_ptr<AgentSupervisorComponent::LeaseLoop> loop,
                                  std::shared_ptr<RunLeases> leases,
                                  std::shared_ptr<Supervisor> supervisor, chat::RunStore& runs,
                                  std::chrono::milliseconds store_timeout) {
  auto log = telemetry::logger(AgentSupervisorComponent::kName);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool renewing = true;
  try {
    while (!loop->stopping) {
      const bool renewed = co_await leases->renew(supervisor->active_runs());
      if (renewed != renewing) {
        if (renewed) {
          log->info("run leases are renewed again");
        } else {
          log->warn(
              "run leases cannot be renewed (Redis does not answer); no run is swept "
              "meanwhile");
        }
        renewing = renewed;
      }
      if (loop->stopping) break;
      co_await sweep(runs, *leases, supervisor.get(), store_timeout);
      timer.expires_after(RunLeases::kRenewEvery);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
  } catch (const std::exception& e) {
    if (!loop->stopping) log->error("lease loop ended: {}", e.what());
  }
}

}  // namespace

AgentSupervisorComponent::AgentSupervisorComponent(core::ComponentSpec spec,
                                                   SupervisorOptions options, AgentRuns& runs,
                                                   RunDependencies deps, LlmSettings llm,
                                                   core::HealthRegistry* health,
                                                   net::CallObserver llm_calls)
    : core::Component(std::move(spec)), options_(options), runs_(runs), deps_(deps) {
  if (health != nullptr) publish_agent_metrics(*health, runs);
  if (llm.enabled()) {
    net::HttpClientOptions http_options;
    http_options.on_call = std::move(llm_calls);
    http_ = std::make_unique<net::HttpClient>(std::move(http_options));
    llm_ = std::make_unique<ChatCompletionsClient>(*http_, std::move(llm));
    deps_.llm = llm_.get();
  }
}

asio::awaitable<core::Status> AgentSupervisorComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  if (!repaired_ && !leases_) {
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
  if (user_places_) supervisor_->count_users_runs_in(user_places_);
  runs_.attach(supervisor_);
  if (leases_) {
    // In a cluster: the other instances' runs are theirs while their leases live.
    stop_lease_loop();
    lease_loop_ = std::make_shared<LeaseLoop>();
    lease_loop_->executor = co_await asio::this_coro::executor;
    asio::co_spawn(
        lease_loop_->executor,
        hold_leases(lease_loop_, leases_, supervisor_, deps_.runs, options_.store_timeout),
        asio::bind_cancellation_slot(lease_loop_->signal.slot(),
                                     core::detached_reporting("the run lease loop")));
    log->info("run leases as instance {}: an unfinished run is interrupted once its lease lapses",
              leases_->instance_id());
  }
  log->info("agent runs: at most {} at once, {} waiting, {} ms each; report summaries {}",
            options_.max_concurrent_runs, options_.max_queued_runs, options_.run_timeout.count(),
            llm_ ? "phrased by a language model" : "computed");
  co_return core::Status::ok();
}

void AgentSupervisorComponent::stop_lease_loop() {
  if (!lease_loop_) return;
  lease_loop_->stopping = true;
  asio::post(lease_loop_->executor,
             [loop = lease_loop_] { loop->signal.emit(asio::cancellation_type::terminal); });
  lease_loop_.reset();
}

AgentSupervisorComponent::~AgentSupervisorComponent() {
  stop_lease_loop();
}

asio::awaitable<core::Status> AgentSupervisorComponent::stop(core::LifecycleContext& ctx) {
  runs_.detach();  // new requests are refused from here on
  // The leases lapse by themselves: another instance interrupts what does not end here.
  stop_lease_loop();
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
