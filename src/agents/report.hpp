// Report: the Markdown answer of a run, stored as the assistant's message in the thread —
// summary, findings, recommendations with savings and evidence, actions, and where the data came
// from and how complete it was. With too little data, it says so and what to send instead.
#pragma once

#include <string>
#include <vector>

#include "agents/action_plan.hpp"
#include "agents/data_step.hpp"
#include "agents/optimization.hpp"
#include "agents/triage.hpp"

namespace netra::agents {

struct ReportInput {
  const std::string& user_request;
  const TriageResult& triage;
  const DataSnapshot& data;
  const OptimizationResult& optimization;
  const std::vector<Action>& actions;
};

// Tables list the groups that cost the most, at most this many; the rest are summed in a line.
inline constexpr size_t kMaxTableRows = 10;

// Deterministic: the same input gives the same text.
std::string render_report(const ReportInput& input);

// The report cut at a line so that it fits `max_bytes` (a chat message holds 32 KiB), with a last
// line that says so; unchanged when it fits. Cutting at a line break keeps the UTF-8 whole.
std::string fit_report(std::string report, size_t max_bytes);

}  // namespace netra::agents
