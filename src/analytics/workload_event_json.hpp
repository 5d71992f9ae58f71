// The JSON form of workload events, as clients send them (POST /api/workloads/events) and reports
// show them: JSON to WorkloadEvent with a problem per bad field (index and field), and back.
#pragma once

#include <boost/json/array.hpp>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "analytics/workload_event.hpp"

namespace netra::analytics {

struct ParsedEvents {
  std::vector<WorkloadEvent> events;   // one per element, in order (defaults where a field failed)
  std::vector<EventProblem> problems;  // every problem, up to kMaxReportedProblems
  size_t bad_events = 0;               // how many elements have at least one problem
};

// Reads each element of `events` (a JSON array; the caller checks that and its size) as an event:
// types first (required fields, unknown fields, strings, integers, numbers), then, for the
// fields that read, the limits every store applies (validate_event), so that one answer names
// every bad field of every event. `user_id` may be left out; when given it must be `caller`.
// `timestamp` is Unix milliseconds. Boost.JSON: the batch is parsed by it (8.7x nlohmann on a
// full batch, bench/json.sh).
ParsedEvents events_from_json(const boost::json::array& events, std::string_view caller);

nlohmann::json to_json(const WorkloadEvent& event);

}  // namespace netra::analytics
