// The fixture of the report suites: triage, data, optimization and actions for a request over
// the stored events, as a run does them, and the report rendered from them.
#pragma once

#include <optional>

#include "agents/action_plan.hpp"
#include "agents/follow_up.hpp"
#include "agents/optimization.hpp"
#include "agents/report.hpp"
#include "agents/run_emitter.hpp"
#include "agents/triage.hpp"
#include "known_dataset.hpp"

namespace netra::agents {

class ReportFixture : public AgentsTest {
 protected:
  DataSnapshot collect(analytics::TimeRange range, std::vector<std::string> workloads,
                       std::vector<std::string> models) {
    const auto thread = must_thread(alice_);
    const auto r = must_run(alice_, thread.id);
    chat::RunEventSink sink(chat_->runs, [](const chat::AgentEvent&) {});
    RunEmitter emitter(sink, {r.id, r.thread_id, alice_}, std::chrono::seconds(10));
    DataRequest request{alice_, range, std::move(models), std::move(workloads)};
    auto snap = run(collect_data(*analytics_, emitter, std::move(request), deadline()));
    if (!snap) throw std::runtime_error("collect: " + snap.error().message);
    return std::move(snap.value());
  }

  // Triage, data, optimization and actions for `request`, as a run does them; `previous`: the
  // context of the thread's previous report, for a follow-up.
  std::string report_for(const std::string& request,
                         const std::optional<ReportContext>& previous = std::nullopt) {
    triage_ = triage(request, known::kTo);
    carried_.clear();
    previous_ = previous;
    if (previous_) carried_ = carry_over(triage_, *previous_);
    data_ = collect(triage_.window.range, triage_.workloads, triage_.models);
    const auto& data = data_;
    std::vector<std::string> known_workloads;
    for (const auto& g : data.by_workload) known_workloads.push_back(g.key);
    add_named_workloads(triage_, request, known_workloads);
    if (previous_) {
      for (auto& c : carry_workloads(triage_, *previous_)) carried_.push_back(c);
    }
    optimization_ = optimize(data, {triage_.workloads, triage_.models, triage_.goals});
    actions_ = plan_actions(optimization_.recommendations);
    request_ = request;
    return render_report(input());
  }
  // What the last report_for rendered from.
  ReportInput input() const {
    ReportInput in{request_, triage_, data_, optimization_, actions_};
    if (previous_) {
      in.previous = &*previous_;
      in.carried = carried_;
    }
    return with_findings(in);
  }
  // The context the last report_for leaves for a follow-up, as its message keeps it.
  ReportContext context() const {
    const nlohmann::json metadata = {{"kind", "agent_report"},
                                     {"context", context_metadata(triage_, data_, optimization_)}};
    return *latest_report_context({metadata});
  }

  std::string request_;
  TriageResult triage_;
  DataSnapshot data_;
  OptimizationResult optimization_;
  std::vector<Action> actions_;
  std::optional<ReportContext> previous_;
  std::vector<std::string> carried_;
};

}  // namespace netra::agents
