#include "agents/agent_runs.hpp"

#include "telemetry/trace_scope.hpp"

namespace netra::agents {
namespace {

// How long a refusal may take to be stored and heard: the same budget the supervisor gives.
constexpr std::chrono::milliseconds kRefusalStoreTimeout{5000};

}  // namespace

std::string_view agent_state(const StartedRun& started) {
  if (!started.run) return started.active_run_id ? "run_active" : "unavailable";
  switch (started.admission) {
    case Admission::started:
    case Admission::already_known:
      return "started";
    case Admission::queued:
      return "queued";
    case Admission::busy:
      return "busy";
    case Admission::thread_busy:
      return "run_active";
    case Admission::user_busy:
      return "too_many_runs";
    case Admission::stopping:
      return "unavailable";
  }
  return "unavailable";
}

asio::awaitable<chat::ChatResult<StartedRun>> AgentRuns::start(RunAsk ask,
                                                               core::Deadline deadline) {
  StartedRun started;
  std::optional<std::string> active;
  if (ask.thread_id) {
    // Ownership first: another user's thread is not_found, whatever runs in it.
    auto running = co_await chat_.runs.active_run(ask.user_id, *ask.thread_id, deadline);
    if (!running) co_return running.error();
    if (running.value()) active = running.value()->id;
    if (active && !ask.chat_message) {
      co_return chat::ChatError::conflict("the thread already has an active run (" + *active +
                                          "); stop it or wait for it to end");
    }
  }
  // The request is the user's message in the thread, so the transcript shows what was asked.
  chat::NewMessage message;
  message.content = ask.request;
  if (ask.thread_id) {
    auto added =
        co_await chat_.messages.add(ask.user_id, *ask.thread_id, std::move(message), deadline);
    if (!added) co_return added.error();
    started.request = std::move(added.value());
  } else {
    chat::NewThread opened;  // not a braced temporary in the co_await (g++ 12)
    auto created = co_await chat_.messages.start_thread(ask.user_id, std::move(opened),
                                                        std::move(message), deadline);
    if (!created) co_return created.error();
    started.request = std::move(created->message);
    started.new_thread = true;
    if (opened_) opened_(created->thread);
  }
  auto supervisor = this->supervisor();
  if (ask.chat_message && (active || !supervisor)) {
    started.active_run_id = std::move(active);
    co_return started;  // kept as a message; no run
  }
  auto run =
      co_await chat_.runs.create(ask.user_id, started.request.thread_id, ask.request, deadline);
  if (!run) co_return run.error();
  started.run = run.value();

  RunRequest submitted{run->id, run->thread_id, ask.user_id, std::move(ask.request), std::nullopt};
  if (const auto* scope = telemetry::current_trace_scope()) submitted.trace = *scope;
  if (supervisor) {
    started.admission = co_await supervisor->submit(std::move(submitted));
  } else {
    co_await refuse_run(chat_.runs, events_, std::move(submitted), "AGENT_UNAVAILABLE",
                        "the agent supervisor is not running; the run did not start",
                        kRefusalStoreTimeout);
    started.admission = Admission::stopping;
  }
  co_return started;
}

asio::awaitable<chat::ChatResult<StoppedRun>> AgentRuns::stop(std::string user_id,
                                                              std::string run_id,
                                                              core::Deadline deadline) {
  auto found = co_await chat_.runs.get(user_id, run_id, deadline);
  if (!found) co_return found.error();
  StoppedRun stopped;
  stopped.run = std::move(found->run);
  if (chat::is_terminal(stopped.run.status)) {
    co_return chat::ChatError::conflict("the run is " +
                                        std::string(chat::to_string(stopped.run.status)));
  }
  if (auto supervisor = this->supervisor(); supervisor && supervisor->cancel(stopped.run.id)) {
    stopped.stopping_here = true;
    co_return stopped;
  }
  // Not running here: whoever runs it reads the status before its next step.
  auto cancelled = co_await chat_.runs.set_status(stopped.run.id, chat::RunStatus::cancelled,
                                                  std::string("stopped by the user"), deadline);
  if (!cancelled) co_return cancelled.error();
  stopped.run = std::move(cancelled.value());
  co_return stopped;
}

void AgentRuns::attach(std::shared_ptr<Supervisor> supervisor) {
  std::lock_guard lock(mutex_);
  supervisor_ = std::move(supervisor);
}

std::shared_ptr<Supervisor> AgentRuns::detach() {
  std::lock_guard lock(mutex_);
  return std::exchange(supervisor_, nullptr);
}

std::shared_ptr<Supervisor> AgentRuns::supervisor() const {
  std::lock_guard lock(mutex_);
  return supervisor_;
}

}  // namespace netra::agents
