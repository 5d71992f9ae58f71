#include "core/startup_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace netra::core {

std::string_view to_string(StartupOutcome outcome) {
  switch (outcome) {
    case StartupOutcome::in_progress:
      return "in_progress";
    case StartupOutcome::ready:
      return "ready";
    case StartupOutcome::degraded:
      return "degraded";
    case StartupOutcome::failed:
      return "failed";
  }
  return "in_progress";
}
namespace {
double rounded(double ms) {
  return std::round(ms * 1000.0) / 1000.0;
}
}  // namespace

const ComponentReport* StartupReport::find(const std::string& name) const {
  for (const auto& c : components) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<ChainHop> compute_critical_chain(const std::vector<ComponentReport>& components) {
  std::map<std::string, const ComponentReport*> by_name;
  for (const auto& c : components) by_name[c.name] = &c;
  auto ready = [](const ComponentReport* c) { return c != nullptr && c->ready_at_ms >= 0; };

  const ComponentReport* last = nullptr;
  for (const auto& c : components) {
    if (ready(&c) && (last == nullptr || c.ready_at_ms > last->ready_at_ms)) last = &c;
  }
  std::vector<ChainHop> chain;
  while (last != nullptr) {
    chain.push_back({last->name, last->ready_at_ms, last->took_ms});
    // The dependency that became ready last is the one this component waited for.
    const ComponentReport* gate = nullptr;
    for (const auto* list : {&last->requires_components, &last->uses_components}) {
      for (const auto& dep : *list) {
        auto it = by_name.find(dep);
        const ComponentReport* d = it == by_name.end() ? nullptr : it->second;
        if (ready(d) && d->ready_at_ms <= last->ready_at_ms &&
            (gate == nullptr || d->ready_at_ms > gate->ready_at_ms)) {
          gate = d;
        }
      }
    }
    last = gate;
  }
  return chain;
}

nlohmann::json to_json(const StartupReport& report) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : report.components) {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& a : c.history) {
      nlohmann::json attempt = {
          {"attempt", a.attempt}, {"took_ms", rounded(a.took_ms)}, {"outcome", a.outcome}};
      if (!a.error.empty()) attempt["error"] = a.error;
      if (a.backoff_ms >= 0) attempt["backoff_ms"] = rounded(a.backoff_ms);
      history.push_back(std::move(attempt));
    }
    nlohmann::json item = {{"name", c.name},
                           {"criticality", to_string(c.criticality)},
                           {"state", to_string(c.state)},
                           {"outcome", c.outcome},
                           {"requires", c.requires_components},
                           {"uses", c.uses_components},
                           {"waited_ms", rounded(c.waited_ms)},
                           {"took_ms", rounded(c.took_ms)},
                           {"attempts", c.attempts},
                           {"max_attempts", c.max_attempts},
                           {"history", std::move(history)}};
    item["started_at_ms"] =
        c.started_at_ms >= 0 ? nlohmann::json(rounded(c.started_at_ms)) : nlohmann::json();
    item["ready_at_ms"] =
        c.ready_at_ms >= 0 ? nlohmann::json(rounded(c.ready_at_ms)) : nlohmann::json();
    item["error"] = c.error.empty() ? nlohmann::json() : nlohmann::json(c.error);
    item["reason"] = c.reason.empty() ? nlohmann::json() : nlohmann::json(c.reason);
    components.push_back(std::move(item));
  }
  nlohmann::json chain = nlohmann::json::array();
  for (const auto& hop : report.critical_chain) {
    chain.push_back({{"name", hop.name},
                     {"ready_at_ms", rounded(hop.ready_at_ms)},
                     {"took_ms", rounded(hop.took_ms)}});
  }
  nlohmann::json out = {{"outcome", to_string(report.outcome)},
                        {"elapsed_ms", rounded(report.elapsed_ms)},
                        {"deadline_ms", rounded(report.deadline_ms)},
                        {"components", std::move(components)},
                        {"critical_chain", std::move(chain)},
                        {"pending_at_deadline", report.pending_at_deadline}};
  out["failure"] = report.failure.empty() ? nlohmann::json() : nlohmann::json(report.failure);
  return out;
}

StartupReport public_view(StartupReport report) {
  static const std::string kHidden = "failed (the log and an administrator token show why)";
  for (auto& c : report.components) {
    if (!c.error.empty()) c.error = kHidden;
    // Reasons are the engine's own words (components and states), public as they are.
    for (auto& attempt : c.history) attempt.error.clear();
  }
  if (!report.failure.empty()) report.failure = "start-up failed";
  return report;
}

std::string to_table(const StartupReport& report) {
  std::string out = fmt::format("start-up {} in {:.1f} ms (deadline {:.0f} ms)\n",
                                to_string(report.outcome), report.elapsed_ms, report.deadline_ms);
  if (!report.failure.empty()) out += "failure: " + report.failure + "\n";
  for (const auto& name : report.pending_at_deadline) out += "pending at deadline: " + name + "\n";
  out +=
      fmt::format("{:<20} {:<9} {:<9} {:<10} {:>9} {:>9} {:>9} {:>8}  {}\n", "COMPONENT",
                  "CRITICAL", "STATE", "OUTCOME", "WAITED", "STARTED", "TOOK", "ATTEMPTS", "ERROR");
  for (const auto& c : report.components) {
    const std::string started =
        c.started_at_ms >= 0 ? fmt::format("@{:.1f}ms", c.started_at_ms) : "-";
    const std::string detail = !c.error.empty() ? c.error : c.reason;
    out += fmt::format("{:<20} {:<9} {:<9} {:<10} {:>7.1f}ms {:>9} {:>7.1f}ms {:>4}/{:<3}  {}\n",
                       c.name, to_string(c.criticality), to_string(c.state), c.outcome, c.waited_ms,
                       started, c.took_ms, c.attempts, c.max_attempts, detail);
  }
  if (!report.critical_chain.empty()) {
    out += "critical chain:\n";
    std::string indent;
    for (const auto& hop : report.critical_chain) {
      out += fmt::format("{}{} @{:.1f}ms +{:.1f}ms\n", indent.empty() ? "" : indent + "└─",
                         hop.name, hop.ready_at_ms, hop.took_ms);
      indent += "  ";
    }
  }
  return out;
}

}  // namespace netra::core
