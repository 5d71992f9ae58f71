// FollowUp: a request in a thread that already has a report is read in its context — "and only
// for support-chat?", "what about last week?": the period, models, workloads, intent and goals of
// the previous report carry over where the new request says nothing of its own, and the report
// says what changed since the previous one (spend per model, the saving found).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agents/data_step.hpp"
#include "agents/optimization.hpp"
#include "agents/triage.hpp"

namespace netra::agents {

// What a report was about and found, as its message's metadata keeps it ("context").
struct ReportContext {
  Intent intent = Intent::general_question;
  TimeWindow window;
  std::vector<std::string> models;
  std::vector<std::string> workloads;
  RequestGoals goals;
  std::map<std::string, double> spend_by_model;  // the window's cost per model
  double monthly_factor = 0;                     // the window's figures × this = a month's
  double monthly_spend_usd = 0;
  double monthly_saving_usd = 0;
};

// The "context" a report's message metadata carries (bounded: at most 30 models).
nlohmann::json context_metadata(const TriageResult& triage, const DataSnapshot& data,
                                const OptimizationResult& optimization);
// The context of the latest report among `messages` (oldest first), if one carries it.
std::optional<ReportContext> latest_report_context(const std::vector<nlohmann::json>& metadata);

// What the new request leaves unsaid, from the previous report: the period, the models, the
// intent (when it has no cue of its own) and the goals. Returns what carried over, for the report
// ("the period (last 30 days)"). Workloads carry later: carry_workloads, after the data step has
// found the ones the request names.
std::vector<std::string> carry_over(TriageResult& triage, const ReportContext& previous);
std::vector<std::string> carry_workloads(TriageResult& triage, const ReportContext& previous);

}  // namespace netra::agents
