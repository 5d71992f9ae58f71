// The engine's view of itself as a StartupReport, read under the lock from any thread.
#include "core/engine_impl.hpp"

namespace netra::core {

ComponentReport Engine::Impl::build_component_report(size_t i) const {
  const auto& r = records_[i];
  const auto& node = graph_->node(i);
  ComponentReport c;
  c.name = r.component->name();
  c.criticality = r.component->spec().criticality;
  c.state = r.state;
  c.outcome = r.outcome.empty() ? std::string(to_string(r.state)) : r.outcome;
  for (const auto& edge : node.dependencies) {
    auto& list = edge.kind == DependencyKind::hard ? c.requires_components : c.uses_components;
    list.push_back(records_[edge.to].component->name());
  }
  const bool started = phase_ != Phase::idle;
  const auto now = options_.clock->now();
  // Until it settles (ready, degraded, failed, skipped) its clock is still running.
  const auto end = r.settled_at != Clock::time_point{} ? r.settled_at : now;
  if (r.launched) {
    c.waited_ms = r.waited_ms;
    c.started_at_ms = offset_ms(r.first_attempt);
    c.took_ms = elapsed_ms(r.first_attempt, end);
  } else if (started && node.enabled) {
    c.waited_ms = offset_ms(end);
  }
  if (r.ready_at != Clock::time_point{}) c.ready_at_ms = offset_ms(r.ready_at);
  c.attempts = r.attempts;
  c.max_attempts = r.settings.retry.attempts;
  c.error = r.error;
  c.reason = r.reason;
  c.history = r.history;
  return c;
}

ComponentState Engine::Impl::state(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = index_.find(name);
  return it == index_.end() ? ComponentState::pending : records_[it->second].state;
}

StartupReport Engine::Impl::report() const {
  std::lock_guard lock(mutex_);
  StartupReport report;
  report.outcome = outcome_;
  report.deadline_ms = static_cast<double>(options_.startup_deadline.count());
  report.failure = failure_;
  report.pending_at_deadline = pending_at_deadline_;
  if (phase_ != Phase::idle) {
    const auto end = finished_at_ != Clock::time_point{} ? finished_at_ : options_.clock->now();
    report.elapsed_ms = elapsed_ms(t0_, end);
  }
  if (!graph_) return report;
  for (size_t i = 0; i < records_.size(); ++i)
    report.components.push_back(build_component_report(i));
  report.critical_chain = compute_critical_chain(report.components);
  return report;
}

}  // namespace netra::core
