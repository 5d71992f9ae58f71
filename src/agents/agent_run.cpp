#include "agents/agent_run.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "agents/action_plan.hpp"
#include "agents/data_step.hpp"
#include "agents/follow_up.hpp"
#include "agents/optimization.hpp"
#include "agents/report.hpp"
#include "agents/report_chunks.hpp"
#include "agents/report_summary.hpp"
#include "agents/run_emitter.hpp"
#include "agents/target_verdict.hpp"
#include "agents/triage.hpp"
#include "agents/what_if.hpp"
#include "chat/chat_validation.hpp"
#include "core/retry_policy.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

using chat::AgentEventType;
using chat::RunStatus;
using nlohmann::json;

// How a run ends when it does not complete: its status, the agent_error code and message.
struct Ending {
  RunStatus status = RunStatus::failed;
  std::string code;
  std::string message;
  RunOutcome outcome = RunOutcome::failed;
};

// One run's state from step to step. Member coroutines, not lambdas: nothing here may outlive
// the object whose state it uses (g++ 12). Arguments of a co_await are variables, never braced
// lists or temporaries (g++ 12 destroys those twice).
class Execution {
 public:
  Execution(RunDependencies deps, RunSettings settings, RunRequest request, CancelFlag cancelled)
      : deps_(deps),
        settings_(std::move(settings)),
        request_(std::move(request)),
        cancelled_(std::move(cancelled)),
        emitter_(deps_.events, {request_.run_id, request_.thread_id, request_.user_id},
                 settings_.store_timeout),
        deadline_(core::Deadline::after(settings_.timeout)) {}

  asio::awaitable<RunOutcome> run();

  // Ends the run as failed with INTERNAL: what an unexpected exception becomes.
  asio::awaitable<RunOutcome> internal_error(std::string what) {
    const auto outcome =
        co_await fail("INTERNAL", "the run failed unexpectedly; try again", std::move(what));
    co_return outcome;
  }

 private:
  core::Deadline store_deadline() const { return core::Deadline::after(settings_.store_timeout); }
  int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_)
        .count();
  }

  // Before step `step` (1-based): the reason to stop here, if there is one.
  asio::awaitable<std::optional<RunOutcome>> checkpoint(size_t step);
  // Whether the store says the run has already ended: stopped through the store, by another
  // instance or by a route that did not go through this supervisor.
  asio::awaitable<bool> ended_elsewhere();
  asio::awaitable<void> thinking(size_t step, std::string message, json detail);
  // Sets the terminal status, then emits agent_error {code, message, step_number}.
  asio::awaitable<RunOutcome> end(Ending ending);
  // Sets the run's final status, retried with backoff while the store fails (not when the run
  // already ended elsewhere: that conflict is the answer).
  asio::awaitable<chat::ChatResult<chat::Run>> settle(RunStatus status,
                                                      std::optional<std::string> error);
  // Ends the run as failed. The event and the stored error carry `code` and `message`, written
  // for the user; `detail` (a dependency's own words: hosts, paths, SQL) goes to the log only.
  asio::awaitable<RunOutcome> fail(std::string_view code, std::string message, std::string detail) {
    telemetry::logger("agent_supervisor")
        ->warn("run {} of {} failed ({}): {}: {}", request_.run_id, request_.user_id, code, message,
               detail);
    Ending ending{RunStatus::failed, std::string(code), std::move(message), RunOutcome::failed};
    const auto outcome = co_await end(std::move(ending));
    co_return outcome;
  }
  // Ends the run as cancelled — by this supervisor, or keeping the status the store already
  // holds when someone else ended it — with agent_error CANCELLED as its last event.
  asio::awaitable<RunOutcome> stopped() {
    Ending ending{RunStatus::cancelled, "CANCELLED", "stopped by the user", RunOutcome::cancelled};
    const auto outcome = co_await end(std::move(ending));
    co_return outcome;
  }
  asio::awaitable<RunOutcome> timed_out() {
    Ending ending{RunStatus::failed, "TIMEOUT",
                  fmt::format("the run timed out after {} ms", settings_.timeout.count()),
                  RunOutcome::timed_out};
    const auto outcome = co_await end(std::move(ending));
    co_return outcome;
  }

  // The context of the thread's latest report, if it has one: what a follow-up carries over. A
  // store that cannot answer costs the run its context, not its answer.
  asio::awaitable<std::optional<ReportContext>> previous_report() {
    std::optional<std::string> latest;
    auto history = co_await deps_.messages.history(request_.user_id, request_.thread_id,
                                                   std::move(latest), 20, store_deadline());
    if (!history) {
      telemetry::logger("agent_supervisor")
          ->warn("run={} could not read its thread's earlier reports: {}", request_.run_id,
                 history.error().message);
      co_return std::nullopt;
    }
    std::vector<json> metadata;
    for (const auto& m : history->messages) {
      if (m.role == chat::Role::assistant) metadata.push_back(m.metadata);
    }
    co_return latest_report_context(metadata);
  }

  // Titles the run's thread from its request when it has no title yet, and tells the user's
  // clients; a failure costs the run nothing (the thread stays untitled).
  asio::awaitable<void> title_thread(const TriageResult& triaged) {
    if (deps_.threads == nullptr) co_return;
    std::string title = thread_title(triaged);
    auto titled = co_await deps_.threads->title_if_untitled(request_.user_id, request_.thread_id,
                                                            std::move(title), store_deadline());
    if (!titled) {
      telemetry::logger("agent_supervisor")
          ->warn("run={} could not title its thread: {}", request_.run_id, titled.error().message);
      co_return;
    }
    if (titled->has_value()) {
      rule_title_ = (**titled).title.value_or("");
      if (deps_.thread_titled) deps_.thread_titled(**titled);
    }
  }

  // With a language model: the title this run gave by rule, phrased by the model — unless the
  // owner renamed the thread meanwhile. A failure keeps the rule's title.
  asio::awaitable<void> phrase_thread_title(const TriageResult& triaged) {
    if (deps_.llm == nullptr || !rule_title_ || rule_title_->empty()) co_return;
    auto phrased = co_await phrase_title(*deps_.llm, emitter_, triaged, *rule_title_, deadline_);
    if (!phrased || *phrased == *rule_title_) co_return;
    auto retitled = co_await deps_.threads->replace_title_if(
        request_.user_id, request_.thread_id, *rule_title_, std::move(*phrased), store_deadline());
    if (!retitled) {
      telemetry::logger("agent_supervisor")
          ->warn("run={} could not retitle its thread: {}", request_.run_id,
                 retitled.error().message);
      co_return;
    }
    if (retitled->has_value() && deps_.thread_titled) deps_.thread_titled(**retitled);
  }

  RunDependencies deps_;
  RunSettings settings_;
  RunRequest request_;
  CancelFlag cancelled_;
  RunEmitter emitter_;
  core::Deadline deadline_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  size_t step_ = 0;                        // the step under way; 0 before the first
  std::optional<std::string> rule_title_;  // the title this run gave its thread by rule
  // In a sampled trace, the step under way as a span: the parent of what the step does.
  std::optional<telemetry::ActiveSpan> step_span_;
};

asio::awaitable<std::optional<RunOutcome>> Execution::checkpoint(size_t step) {
  step_ = step;
  step_span_.reset();
  step_span_.emplace("agent.step " + std::string(kSteps[step - 1]), telemetry::SpanKind::internal);
  step_span_->set("netra.step_number", static_cast<int64_t>(step));
  step_span_->make_current();
  std::optional<RunOutcome> stop;
  if (emitter_.failure()) {
    stop = co_await fail("STORE_FAILED", "the run's progress could not be saved; try again shortly",
                         emitter_.failure()->message);
    co_return stop;
  }
  bool cancelled = cancelled_ && cancelled_->load();
  if (!cancelled) cancelled = co_await ended_elsewhere();
  if (cancelled) {
    stop = co_await stopped();
  } else if (deadline_.expired()) {
    stop = co_await timed_out();
  }
  co_return stop;
}

asio::awaitable<bool> Execution::ended_elsewhere() {
  auto found = co_await deps_.runs.get(request_.user_id, request_.run_id, store_deadline());
  // A store that cannot answer now does not stop the run; its next write will say more.
  co_return found&& chat::is_terminal(found->run.status);
}

asio::awaitable<void> Execution::thinking(size_t step, std::string message, json detail) {
  json data = {{"step_number", step},
               {"total_steps", kSteps.size()},
               {"step", kSteps[step - 1]},
               {"progress", static_cast<double>(step - 1) / static_cast<double>(kSteps.size())},
               {"message", std::move(message)}};
  if (!detail.empty()) data["detail"] = std::move(detail);
  co_await emitter_.emit(AgentEventType::agent_thinking, kSteps[step - 1], std::move(data));
}

asio::awaitable<chat::ChatResult<chat::Run>> Execution::settle(RunStatus status,
                                                               std::optional<std::string> error) {
  // A few tries with backoff: a run whose ending is not stored would read `running` forever.
  const core::RetryPolicy retry{
      .attempts = 5, .base = std::chrono::milliseconds(200), .cap = std::chrono::seconds(2)};
  auto random = core::make_random_source();
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int failures = 0;; ++failures) {
    auto set = co_await deps_.runs.set_status(request_.run_id, status, error, store_deadline());
    if (set || set.error().code == chat::ChatErrorCode::conflict ||
        failures + 1 >= retry.attempts) {
      if (!set && set.error().code != chat::ChatErrorCode::conflict) {
        telemetry::logger("agent_supervisor")
            ->error(
                "run {} could not be recorded {} after {} attempts ({}); it is marked "
                "interrupted when the supervisor next starts",
                request_.run_id, chat::to_string(status), retry.attempts, set.error().message);
      }
      co_return set;
    }
    pause.expires_after(retry.backoff(failures + 1, random()));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<RunOutcome> Execution::end(Ending ending) {
  std::optional<std::string> error = ending.message;
  auto set = co_await settle(ending.status, std::move(error));
  // Someone else ended the run first (stop_agent on the store): their status stands, and the
  // run's last event says it was stopped.
  if (!set && set.error().code == chat::ChatErrorCode::conflict) {
    ending =
        Ending{RunStatus::cancelled, "CANCELLED", "stopped by the user", RunOutcome::cancelled};
  }
  json data = {{"code", std::move(ending.code)},
               {"message", std::move(ending.message)},
               {"execution_time_ms", elapsed_ms()}};
  if (step_ > 0) {
    data["step_number"] = step_;
    data["step"] = kSteps[step_ - 1];
  }
  co_await emitter_.emit_final(AgentEventType::agent_error, kSupervisorName, std::move(data));
  co_return ending.outcome;
}

asio::awaitable<RunOutcome> Execution::run() {
  std::optional<std::string> no_error;
  auto running = co_await deps_.runs.set_status(request_.run_id, RunStatus::running,
                                                std::move(no_error), store_deadline());
  if (!running) {
    // Cancelled (or otherwise ended) while it waited: nothing to run.
    if (running.error().code == chat::ChatErrorCode::conflict) {
      const auto outcome = co_await stopped();
      co_return outcome;
    }
    const auto outcome = co_await fail("STORE_FAILED", "the run could not start; try again shortly",
                                       running.error().message);
    co_return outcome;
  }
  json steps = json::array();
  for (auto name : kSteps) steps.push_back(name);
  json started = {{"user_request", request_.user_request},
                  {"steps", std::move(steps)},
                  {"timeout_ms", settings_.timeout.count()}};
  co_await emitter_.emit(AgentEventType::agent_started, kSupervisorName, std::move(started));

  if (deps_.refresh_catalog) co_await deps_.refresh_catalog();
  auto stop = co_await checkpoint(1);
  if (stop) co_return *stop;
  std::string note =
      "Reading the request: what it asks, and which period, models and workloads it names";
  json detail = json::object();
  co_await thinking(1, std::move(note), std::move(detail));
  TriageResult triaged = triage(request_.user_request, settings_.clock());
  // What the request says by itself: whether it is on topic is read from this, not from what a
  // previous report lends it.
  TriageResult own = triaged;
  const auto previous = co_await previous_report();
  std::vector<std::string> carried;
  if (previous) carried = carry_over(triaged, *previous);

  stop = co_await checkpoint(2);
  if (stop) co_return *stop;
  note = "Querying the workload analytics for the " + triaged.window.label;
  detail = to_json(triaged);
  co_await thinking(2, std::move(note), std::move(detail));
  DataRequest wanted{request_.user_id, triaged.window.range, triaged.models, triaged.workloads};
  auto collected = co_await collect_data(deps_.analytics, emitter_, std::move(wanted), deadline_);
  if (!collected) {
    const auto& error = collected.error();
    if (error.code == analytics::AnalyticsErrorCode::timeout || deadline_.expired()) {
      const auto outcome = co_await timed_out();
      co_return outcome;
    }
    std::string why =
        fmt::format("the workload analytics ({}) could not be read; try again shortly",
                    deps_.analytics.backend());
    const auto outcome = co_await fail("DATA_UNAVAILABLE", std::move(why), error.message);
    co_return outcome;
  }
  const DataSnapshot& data = collected.value();
  // "Why is support-chat slow?" names a workload only the data knows.
  std::vector<std::string> known_workloads;
  for (const auto& g : data.by_workload) known_workloads.push_back(g.key);
  add_named_workloads(triaged, request_.user_request, known_workloads);
  add_named_workloads(own, request_.user_request, known_workloads);
  if (previous) {
    for (auto& c : carry_workloads(triaged, *previous)) carried.push_back(std::move(c));
  }
  // "What's the weather?" gets a short answer that says what the agent does, not a report.
  // In a thread with a report, a request that only names a period ("what about last week?")
  // follows up on it.
  const bool outside = off_topic(own, request_.user_request) && !(previous && own.window.stated);
  co_await title_thread(triaged);

  stop = co_await checkpoint(3);
  if (stop) co_return *stop;
  note = outside ? "Nothing to analyse: the request is not about your LLM workloads"
         : data.completeness.sufficient
             ? fmt::format("Looking for savings and fixes in {} calls", data.completeness.events)
             : "Not enough data to analyse: " + data.completeness.reason;
  detail = to_json(data.completeness);
  co_await thinking(3, std::move(note), std::move(detail));
  const OptimizationScope scope{triaged.workloads, triaged.models, triaged.goals};
  const auto optimization = outside ? OptimizationResult{} : optimize(data, scope);

  stop = co_await checkpoint(4);
  if (stop) co_return *stop;
  note = fmt::format("Turning {} recommendation(s) into configuration changes",
                     optimization.recommendations.size());
  detail = {{"recommendations", optimization.recommendations.size()},
            {"monthly_saving_usd", optimization.monthly_saving_usd}};
  co_await thinking(4, std::move(note), std::move(detail));
  const auto actions = plan_actions(optimization.recommendations);

  stop = co_await checkpoint(5);
  if (stop) co_return *stop;
  note = "Writing the report";
  detail = {{"actions", actions.size()}};
  co_await thinking(5, std::move(note), std::move(detail));
  ReportInput input = with_findings({request_.user_request, triaged, data, optimization, actions});
  if (previous) {
    input.previous = &*previous;
    input.carried = carried;
  }
  // The report goes out as it is written (agent_response_chunk); concatenated — each chunk at
  // its offset — the chunks are the message stored next.
  ReportChunks chunks(emitter_, kSteps[4]);
  std::optional<PhrasedSummary> phrased;
  if (deps_.llm != nullptr && !outside) {
    // The lead before the model writes a word (the title's call included); its summary then
    // streams in as it comes.
    if (data.completeness.sufficient) co_await chunks.append(phrased_summary_lead(input));
    co_await phrase_thread_title(triaged);
    phrased = co_await phrase_summary(*deps_.llm, emitter_, input, deadline_, &chunks);
    // The model may take seconds: a stop pressed meanwhile is honoured before anything is stored.
    if (cancelled_ && cancelled_->load()) {
      const auto outcome = co_await stopped();
      co_return outcome;
    }
  }
  if (phrased) input.phrased = &*phrased;
  const std::string report =
      outside ? render_off_topic(request_.user_request, data) : render_report(input);
  chat::NewMessage message;
  message.role = chat::Role::assistant;
  message.content = fit_report(report, chat::kMaxContentBytes);
  co_await chunks.finish(message.content);
  message.metadata = {{"kind", "agent_report"},
                      {"intent", to_string(triaged.intent)},
                      {"monthly_saving_usd", optimization.monthly_saving_usd}};
  if (phrased) message.metadata["summary_phrased_by"] = phrased->model;
  if (outside) {
    message.metadata["off_topic"] = true;
  } else {
    // What the next request in this thread may follow up on.
    message.metadata["context"] = context_metadata(triaged, data, optimization);
  }
  message.run_id = request_.run_id;
  auto stored = co_await deps_.messages.add(request_.user_id, request_.thread_id,
                                            std::move(message), store_deadline());
  if (!stored) {
    const auto outcome = co_await fail(
        "STORE_FAILED", "the report could not be saved; try again shortly", stored.error().message);
    co_return outcome;
  }

  no_error.reset();
  auto completed = co_await settle(RunStatus::completed, std::move(no_error));
  if (!completed) {
    if (completed.error().code == chat::ChatErrorCode::conflict) {
      const auto outcome = co_await stopped();
      co_return outcome;
    }
    const auto outcome =
        co_await fail("STORE_FAILED", "the run's end could not be saved; try again shortly",
                      completed.error().message);
    co_return outcome;
  }
  json recommendations = json::array();
  for (const auto& r : optimization.recommendations) recommendations.push_back(to_json(r));
  json planned = json::array();
  for (const auto& a : actions) planned.push_back(to_json(a));
  json result = {{"triage", to_json(triaged)},
                 {"data", to_json(data)},
                 {"optimization", to_json(optimization)},
                 {"actions", std::move(planned)},
                 {"message_id", stored->id}};
  if (input.target) result["target"] = to_json(*input.target);
  if (input.what_if && !outside) result["what_if"] = to_json(*input.what_if);
  json done = {{"result", std::move(result)},
               {"report", report},
               {"progress", 1.0},
               {"execution_time_ms", elapsed_ms()}};
  co_await emitter_.emit_final(AgentEventType::agent_completed, kSupervisorName, std::move(done));
  co_return RunOutcome::completed;
}

}  // namespace

std::string_view to_string(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::completed:
      return "completed";
    case RunOutcome::failed:
      return "failed";
    case RunOutcome::cancelled:
      return "cancelled";
    case RunOutcome::timed_out:
      return "timed_out";
  }
  return "failed";
}

asio::awaitable<RunOutcome> execute_run(RunDependencies deps, RunSettings settings,
                                        RunRequest request, CancelFlag cancelled) {
  Execution execution(deps, std::move(settings), std::move(request), std::move(cancelled));
  std::string what;
  try {
    const auto outcome = co_await execution.run();
    co_return outcome;
  } catch (const std::exception& e) {
    what = e.what();
  }
  // Outside the handler: no co_await inside a catch block.
  const auto outcome = co_await execution.internal_error(what);
  co_return outcome;
}

asio::awaitable<void> refuse_run(chat::RunStore& runs, chat::EventSink& events, RunRequest request,
                                 std::string code, std::string message,
                                 std::chrono::milliseconds store_timeout) {
  std::optional<std::string> why = message;
  auto failed = co_await runs.set_status(request.run_id, RunStatus::failed, std::move(why),
                                         core::Deadline::after(store_timeout));
  if (!failed) {
    telemetry::logger("agent_supervisor")
        ->warn("run {} could not be recorded failed ({}): {}", request.run_id, code,
               failed.error().message);
  }
  RunIdentity identity{request.run_id, request.thread_id, request.user_id};
  RunEmitter emitter(events, std::move(identity), store_timeout);
  json data = {{"code", std::move(code)}, {"message", std::move(message)}};
  co_await emitter.emit_final(AgentEventType::agent_error, kSupervisorName, std::move(data));
}

}  // namespace netra::agents
