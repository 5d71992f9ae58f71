// StartupReport: what start-up did, per component (waited, started, took, attempts, outcome,
// error) plus the critical chain that decided time-to-ready. One JSON form serves logs and HTTP.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/component_state.hpp"
#include "core/criticality.hpp"

namespace netra::core {

struct AttemptRecord {
  int attempt = 0;
  double took_ms = 0;
  std::string outcome;  // "ok", "error", "timed out", "cancelled"
  std::string error;
  double backoff_ms = -1;  // the delay chosen before the next attempt; -1 when none followed
};

struct ComponentReport {
  std::string name;
  Criticality criticality = Criticality::medium;
  ComponentState state = ComponentState::pending;  // now
  std::string outcome;  // how start-up ended for it: ready, degraded, failed, skipped, ...
  std::vector<std::string> requires_components;
  std::vector<std::string> uses_components;
  double waited_ms = 0;       // from start-up begin to its first attempt (or to now)
  double started_at_ms = -1;  // offset of its first attempt; -1 if it never started
  double took_ms = 0;         // from its first attempt to ready/degraded/failed (or to now)
  double ready_at_ms = -1;    // offset at which it became ready
  int attempts = 0;
  int max_attempts = 0;
  std::string error;   // the last error
  std::string reason;  // why skipped or disabled
  std::vector<AttemptRecord> history;
};

struct ChainHop {
  std::string name;
  double ready_at_ms = 0;
  double took_ms = 0;
};

// How start-up ended: in_progress until every enabled component has settled or start-up was
// abandoned (failed: a critical component could not start).
enum class StartupOutcome { in_progress, ready, degraded, failed };
std::string_view to_string(StartupOutcome outcome);  // "in_progress", "ready", ...

struct StartupReport {
  StartupOutcome outcome = StartupOutcome::in_progress;
  double elapsed_ms = 0;
  double deadline_ms = 0;
  std::string failure;  // for failed: which critical component and why
  std::vector<std::string> pending_at_deadline;
  std::vector<ComponentReport> components;
  // From the component that became ready last down to the root it waited on.
  std::vector<ChainHop> critical_chain;

  const ComponentReport* find(const std::string& name) const;
};

// The chain of dependencies that decided time-to-ready, like `systemd-analyze critical-chain`.
std::vector<ChainHop> compute_critical_chain(const std::vector<ComponentReport>& components);

nlohmann::json to_json(const StartupReport& report);
// The report as anyone may see it: states, timings and attempts, with every error text (a
// dependency's own words: hosts, users, file paths) replaced by a coarse mark. The log and the
// administrator's view keep the text.
StartupReport public_view(StartupReport report);
// A fixed-width table for terminals and logs, followed by the critical chain.
std::string to_table(const StartupReport& report);

}  // namespace netra::core
