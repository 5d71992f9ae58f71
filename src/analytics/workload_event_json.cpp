#include "analytics/workload_event_json.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace netra::analytics {
namespace {

using json = nlohmann::json;

constexpr std::string_view kFields[] = {"event_id",    "timestamp", "user_id",      "workload_id",
                                        "provider",    "model",     "input_tokens", "output_tokens",
                                        "latency_ms",  "cost_usd",  "status",       "error_type",
                                        "prompt_hash", "cached",    "tags"};

// Reads one element's fields into `event`, recording the field of every type problem.
class EventReader {
 public:
  EventReader(const boost::json::object& element, WorkloadEvent& event, std::set<std::string>& bad)
      : element_(element), event_(event), bad_(bad) {}

  void read(std::string_view caller) {
    for (const auto& item : element_) {
      const std::string_view key = item.key();
      if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
        problem(std::string(key), "unknown field");
      }
    }
    text("event_id", event_.event_id, false);
    integer("timestamp", event_.timestamp_ms, true);
    std::string user_id;
    if (text("user_id", user_id, false) && !user_id.empty() && user_id != caller) {
      problem("user_id", "must be the caller's id, or left out");
    }
    text("workload_id", event_.workload_id, true);
    text("provider", event_.provider, true);
    text("model", event_.model, true);
    integer("input_tokens", event_.input_tokens, true);
    integer("output_tokens", event_.output_tokens, true);
    integer("latency_ms", event_.latency_ms, true);
    number("cost_usd", event_.cost_usd);
    std::string status;
    if (text("status", status, false) && !status.empty()) {
      if (auto parsed = parse_event_status(status)) {
        event_.status = *parsed;
      } else {
        problem("status", "must be \"ok\" or \"error\"");
      }
    }
    text("error_type", event_.error_type, false);
    text("prompt_hash", event_.prompt_hash, false);
    if (const auto* v = field("cached")) {
      if (v->is_bool()) {
        event_.cached = v->get_bool();
      } else {
        problem("cached", "must be true or false");
      }
    }
    tags();
  }

  std::vector<std::pair<std::string, std::string>> problems;

 private:
  // The field's value; null counts as absent.
  const boost::json::value* field(std::string_view name) const {
    const auto* v = element_.if_contains(name);
    return v == nullptr || v->is_null() ? nullptr : v;
  }
  void problem(std::string field, std::string reason) {
    bad_.insert(field);
    problems.emplace_back(std::move(field), std::move(reason));
  }
  bool text(const char* name, std::string& into, bool required) {
    const auto* v = field(name);
    if (v == nullptr) {
      if (required) problem(name, "required, a string");
      return !required;
    }
    if (!v->is_string()) {
      problem(name, "must be a string");
      return false;
    }
    into = std::string_view(v->get_string());
    return true;
  }
  void integer(const char* name, int64_t& into, bool required) {
    const auto* v = field(name);
    if (v == nullptr) {
      if (required) problem(name, "required, an integer");
      return;
    }
    if (v->is_int64()) {
      into = v->get_int64();
    } else if (v->is_uint64()) {
      // The parser makes uint64 only of integers past int64's range.
      if (v->get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        problem(name, "is out of range");
      } else {
        into = static_cast<int64_t>(v->get_uint64());
      }
    } else {
      problem(name, "must be an integer");
    }
  }
  void number(const char* name, double& into) {
    const auto* v = field(name);
    if (v == nullptr) {
      problem(name, "required, a number");
    } else if (!v->is_number()) {
      problem(name, "must be a number");
    } else {
      into = v->to_number<double>();
    }
  }
  void tags() {
    const auto* v = field("tags");
    if (v == nullptr) return;
    if (!v->is_object()) {
      problem("tags", "must be an object of strings");
      return;
    }
    for (const auto& item : v->get_object()) {
      const std::string key(item.key());
      if (!item.value().is_string()) {
        problem("tags." + key, "must be a string");
      } else {
        event_.tags[key] = std::string_view(item.value().get_string());
      }
    }
  }

  const boost::json::object& element_;
  WorkloadEvent& event_;
  std::set<std::string>& bad_;
};

}  // namespace

ParsedEvents events_from_json(const boost::json::array& events, std::string_view caller) {
  ParsedEvents out;
  out.events.reserve(events.size());
  auto add = [&out](EventProblem problem) {
    if (out.problems.size() < kMaxReportedProblems) out.problems.push_back(std::move(problem));
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& element = events[i];
    WorkloadEvent event;
    if (!element.is_object()) {
      add(EventProblem{i, "", "must be a JSON object"});
      ++out.bad_events;
      out.events.push_back(std::move(event));
      continue;
    }
    std::set<std::string> bad;  // fields with a type problem: their limits are not checked
    EventReader reader(element.get_object(), event, bad);
    reader.read(caller);
    bool any = !reader.problems.empty();
    for (auto& [field, reason] : reader.problems) add(EventProblem{i, field, reason});
    for (auto& problem : validate_event(event, i)) {
      if (bad.count(problem.field) != 0) continue;
      any = true;
      add(std::move(problem));
    }
    if (any) ++out.bad_events;
    out.events.push_back(std::move(event));
  }
  return out;
}

json to_json(const WorkloadEvent& e) {
  return {{"event_id", e.event_id},
          {"timestamp", e.timestamp_ms},
          {"user_id", e.user_id},
          {"workload_id", e.workload_id},
          {"provider", e.provider},
          {"model", e.model},
          {"input_tokens", e.input_tokens},
          {"output_tokens", e.output_tokens},
          {"latency_ms", e.latency_ms},
          {"cost_usd", e.cost_usd},
          {"status", to_string(e.status)},
          {"error_type", e.error_type},
          {"prompt_hash", e.prompt_hash},
          {"cached", e.cached},
          {"tags", e.tags}};
}

}  // namespace netra::analytics
