#include "analytics/workload_event.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/id.hpp"
#include "core/utf8.hpp"

namespace netra::analytics {
namespace {

// Text of min..max bytes, UTF-8, no NUL; the reason it is not, if it is not.
std::optional<std::string> text_problem(std::string_view text, size_t min, size_t max) {
  if (text.size() < min || text.size() > max) {
    return min == 0 ? fmt::format("must be at most {} bytes", max)
                    : fmt::format("must be {} to {} bytes", min, max);
  }
  if (!core::is_valid_utf8(text)) return "must be valid UTF-8";
  if (text.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  return std::nullopt;
}

class Checker {
 public:
  Checker(std::vector<EventProblem>& out, size_t index) : out_(out), index_(index) {}

  void text(std::string_view field, std::string_view value, size_t min, size_t max) {
    if (auto reason = text_problem(value, min, max)) add(field, *reason);
  }
  void range(std::string_view field, int64_t value, int64_t min, int64_t max) {
    if (value < min || value > max) add(field, fmt::format("must be {} to {}", min, max));
  }
  void add(std::string_view field, std::string reason) {
    out_.push_back(EventProblem{index_, std::string(field), std::move(reason)});
  }

 private:
  std::vector<EventProblem>& out_;
  size_t index_;
};

}  // namespace

std::string_view to_string(EventStatus status) {
  return status == EventStatus::error ? "error" : "ok";
}

std::optional<EventStatus> parse_event_status(std::string_view text) {
  if (text == "ok") return EventStatus::ok;
  if (text == "error") return EventStatus::error;
  return std::nullopt;
}

std::vector<EventProblem> validate_event(const WorkloadEvent& event, size_t index) {
  std::vector<EventProblem> problems;
  Checker check(problems, index);
  check.text("event_id", event.event_id, 0, kMaxEventIdBytes);
  check.range("timestamp", event.timestamp_ms, kMinTimestampMs, kMaxTimestampMs);
  check.text("workload_id", event.workload_id, 1, kMaxNameBytes);
  check.text("provider", event.provider, 1, kMaxNameBytes);
  check.text("model", event.model, 1, kMaxNameBytes);
  check.range("input_tokens", event.input_tokens, 0, kMaxTokens);
  check.range("output_tokens", event.output_tokens, 0, kMaxTokens);
  check.range("latency_ms", event.latency_ms, 0, kMaxLatencyMs);
  // NaN fails both comparisons, so it is caught by asking for the good range.
  if (!(std::isfinite(event.cost_usd) && event.cost_usd >= 0 && event.cost_usd <= kMaxCostUsd)) {
    check.add("cost_usd", fmt::format("must be a finite number from 0 to {}", kMaxCostUsd));
  }
  check.text("error_type", event.error_type, 0, kMaxNameBytes);
  check.text("prompt_hash", event.prompt_hash, 0, kMaxPromptHashBytes);
  if (event.tags.size() > kMaxTags) {
    check.add("tags", fmt::format("must hold at most {} tags", kMaxTags));
  }
  for (const auto& [key, value] : event.tags) {
    if (auto reason = text_problem(key, 1, kMaxTagKeyBytes)) {
      check.add("tags", "a key " + *reason);
      continue;  // the key cannot name the field of its value
    }
    check.text("tags." + key, value, 0, kMaxTagValueBytes);
  }
  return problems;
}

std::optional<std::string> check_user_id(std::string_view user_id) {
  if (auto reason = text_problem(user_id, 1, kMaxUserIdBytes)) return "user_id " + *reason;
  return std::nullopt;
}

namespace {

// The size of a batch and every event in it (with the stored ids too, when `stored`); nothing
// when they pass.
std::optional<AnalyticsError> check_events(const std::vector<WorkloadEvent>& events, bool stored) {
  if (events.empty() || events.size() > kMaxBatchEvents) {
    return AnalyticsError::invalid(
        fmt::format("a batch holds 1 to {} events, not {}", kMaxBatchEvents, events.size()));
  }
  std::vector<EventProblem> problems;
  size_t bad_events = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    auto found = validate_event(events[i], i);
    if (stored) {
      Checker check(found, i);
      if (auto bad = check_user_id(events[i].user_id)) check.add("user_id", *bad);
      check.text("event_id", events[i].event_id, 1, kMaxEventIdBytes);
    }
    if (found.empty()) continue;
    ++bad_events;
    for (auto& problem : found) {
      if (problems.size() < kMaxReportedProblems) problems.push_back(std::move(problem));
    }
  }
  if (problems.empty()) return std::nullopt;
  return AnalyticsError::invalid(
      fmt::format("{} of {} events are invalid", bad_events, events.size()), std::move(problems));
}

}  // namespace

AnalyticsResult<std::vector<WorkloadEvent>> check_stored_batch(std::vector<WorkloadEvent> events) {
  if (auto bad = check_events(events, /*stored=*/true)) return *bad;
  return events;
}

AnalyticsResult<std::vector<WorkloadEvent>> prepare_batch(std::string_view user_id,
                                                          std::vector<WorkloadEvent> events) {
  if (auto bad = check_user_id(user_id)) return AnalyticsError::invalid(*bad);
  if (auto bad = check_events(events, /*stored=*/false)) return *bad;
  for (auto& event : events) {
    event.user_id = std::string(user_id);
    if (event.event_id.empty()) event.event_id = core::make_id("evt");
  }
  return events;
}

}  // namespace netra::analytics
