// Triage: the first step of a run — what the request asks (intent) and what it names (a time
// window, models, workloads), by deterministic rules, so the same words start the same analysis.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agents/intent.hpp"
#include "agents/request_goals.hpp"
#include "agents/time_window.hpp"

namespace netra::agents {

struct TriageResult {
  Intent intent = Intent::general_question;
  std::vector<std::string> cues;  // what decided the intent
  TimeWindow window;
  std::vector<std::string> models;     // canonical catalog names, in order of mention
  std::vector<std::string> workloads;  // as written, in order of mention
  RequestGoals goals;                  // a target to reach, constraints to keep
};

// `now_ms` anchors relative periods ("last 7 days"); pass the run's clock, never read it here.
TriageResult triage(std::string_view request, int64_t now_ms);

// The workload ids a request names: `wl_…` tokens anywhere, and the name beside the word
// "workload(s)" ("workload support-bot", "the `summarizer` workload", "workload named billing")
// when it is quoted, follows "named"/"called", or looks like an id (has a digit, '-', '_' or
// '.'), or a plain word sits between "the/our/my" and "workload". Known model names are not
// workloads.
std::vector<std::string> workloads_in_text(std::string_view request);

// The workloads of the user's data that the request names as words, without the word
// "workload" ("Why is support-chat so slow?"), added to `triage.workloads` in order of mention;
// case-insensitive, never one the request asks to leave alone.
void add_named_workloads(TriageResult& triage, std::string_view request,
                         const std::vector<std::string>& known_workloads);

// Whether the request is outside what the agent does ("what's the weather?"): no intent cue, no
// model, workload, target or constraint, and no word about LLM calls. Call after
// add_named_workloads: a request that names only a workload of the data is on topic.
bool off_topic(const TriageResult& triage, std::string_view request);

nlohmann::json to_json(const TriageResult& triage);

}  // namespace netra::agents
