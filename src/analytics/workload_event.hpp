// WorkloadEvent: one call a user's application made to a language model (who, which model, how
// many tokens, how long, what it cost, whether it failed), and the limits a batch of them must
// respect before any store sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics_error.hpp"

namespace netra::analytics {

enum class EventStatus { ok, error };
std::string_view to_string(EventStatus status);
std::optional<EventStatus> parse_event_status(std::string_view text);

struct WorkloadEvent {
  std::string event_id;      // empty: the store makes one ("evt_…"); not deduplicated
  int64_t timestamp_ms = 0;  // Unix ms, UTC
  std::string user_id;       // set by the store to the caller's id; what a client sends is ignored
  std::string workload_id;
  std::string provider;
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t latency_ms = 0;
  double cost_usd = 0;
  EventStatus status = EventStatus::ok;
  std::string error_type;   // may be empty, also for failed calls
  std::string prompt_hash;  // may be empty: the call is then never counted as a repeat
  bool cached = false;      // answered from the caller's cache
  std::map<std::string, std::string> tags;

  bool operator==(const WorkloadEvent&) const = default;
};

// Limits. Text is UTF-8 without NUL (PostgreSQL text cannot hold NUL); lengths are in bytes.
inline constexpr size_t kMaxBatchEvents = 10'000;
inline constexpr size_t kMaxUserIdBytes = 128;
inline constexpr size_t kMaxEventIdBytes = 128;
inline constexpr size_t kMaxNameBytes = 128;  // workload_id, provider, model, error_type
inline constexpr size_t kMaxPromptHashBytes = 128;
inline constexpr size_t kMaxTags = 16;
inline constexpr size_t kMaxTagKeyBytes = 64;
inline constexpr size_t kMaxTagValueBytes = 256;
inline constexpr int64_t kMinTimestampMs = 946'684'800'000;    // 2000-01-01
inline constexpr int64_t kMaxTimestampMs = 4'102'444'800'000;  // 2100-01-01 (ClickHouse Date)
inline constexpr int64_t kMaxTokens = 1'000'000'000;
inline constexpr int64_t kMaxLatencyMs = 86'400'000;  // a day
inline constexpr double kMaxCostUsd = 1'000'000;
// An invalid batch reports at most this many problems (a client that sends 10,000 broken events
// learns what is wrong from the first ones).
inline constexpr size_t kMaxReportedProblems = 100;

// The problems of one event, each naming the field; empty when it is acceptable.
std::vector<EventProblem> validate_event(const WorkloadEvent& event, size_t index);

// Checks the caller's id and every event of a batch (1 to 10,000 events), then stamps each event
// with `user_id` and an id where it has none: what both stores do before they write. `invalid`
// lists every problem found, up to kMaxReportedProblems.
AnalyticsResult<std::vector<WorkloadEvent>> prepare_batch(std::string_view user_id,
                                                          std::vector<WorkloadEvent> events);

// Checks a batch of events that were stored already (events of any users, each with its user_id
// and event_id, as the embedded store read them back) before they are written again elsewhere:
// 1 to 10,000 events, every event as validate_event wants it, user and event id not empty.
// Changes nothing; `invalid` lists the problems found, up to kMaxReportedProblems.
AnalyticsResult<std::vector<WorkloadEvent>> check_stored_batch(std::vector<WorkloadEvent> events);

// The caller's id, as every read checks it: 1 to 128 bytes of UTF-8 without NUL.
std::optional<std::string> check_user_id(std::string_view user_id);

}  // namespace netra::analytics
