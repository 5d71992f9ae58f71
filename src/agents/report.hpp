// Report: the Markdown answer of a run, stored as the assistant's message in the thread —
// summary, findings, recommendations with savings and evidence, actions, and where the data came
// from and how complete it was. With too little data, it says so and what to send instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/action_plan.hpp"
#include "agents/data_step.hpp"
#include "agents/follow_up.hpp"
#include "agents/optimization.hpp"
#include "agents/target_verdict.hpp"
#include "agents/triage.hpp"
#include "agents/what_if.hpp"

namespace netra::agents {

// A summary a language model phrased from the report's figures (see report_summary.hpp).
struct PhrasedSummary {
  std::string text;   // checked: every figure in it is one of the facts it was given
  std::string model;  // named in the report beside it
};

struct ReportInput {
  const std::string& user_request;
  const TriageResult& triage;
  const DataSnapshot& data;
  const OptimizationResult& optimization;
  const std::vector<Action>& actions;
  // Replaces the summary's computed sentences (its notes stay); nullptr: the computed summary.
  const PhrasedSummary* phrased = nullptr;
  // A follow-up: the thread's previous report and what carried over from it; nullptr: none.
  const ReportContext* previous = nullptr;
  std::vector<std::string> carried = {};
  // What the report states and the run's result carries, worked out once (with_findings): the
  // verdict on a saving asked for, and the what-if of a change the request names.
  std::optional<TargetVerdict> target = std::nullopt;
  std::optional<WhatIf> what_if = std::nullopt;
};

// `in` with its target verdict and what-if worked out from the rest of it.
ReportInput with_findings(ReportInput in);

// Tables list the groups that cost the most, at most this many; the rest are summed in a line.
inline constexpr size_t kMaxTableRows = 10;

// Deterministic: the same input gives the same text.
std::string render_report(const ReportInput& input);

// The short answer to a request outside what the agent does: it says so and offers example
// questions (naming the user's costliest workload when the data has one), with no figures.
std::string render_off_topic(const std::string& user_request, const DataSnapshot& data);

// The summary's first sentence, which answers what was asked (the slowest model, the error rate,
// where the spend goes, or the saving); Markdown.
std::string summary_headline(const ReportInput& input);

// The report cut at a line so that it fits `max_bytes` (a chat message holds 32 KiB), with a last
// line that says so; unchanged when it fits. Cutting at a line break keeps the UTF-8 whole.
std::string fit_report(std::string report, size_t max_bytes);

// A thread's title from its first request, when it has none: what was asked about what, and
// over which period ("Cut gpt-4o costs — last 30 days"); at most 200 characters.
std::string thread_title(const TriageResult& triage);

// What a report whose summary a model phrases holds before the summary's text: its title, the
// request and the summary's heading — sent before the model has written a word.
std::string phrased_summary_lead(const ReportInput& input);

// The report cut before each level-2 heading ("## "): the pieces a run sends as it writes them
// (agent_response_chunk), which concatenated are the report again.
std::vector<std::string> report_sections(std::string_view report);

}  // namespace netra::agents
