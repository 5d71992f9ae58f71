// A durable job and its states: what the queue (JobStore) holds, what a worker runs, what the
// jobs API shows its owner.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace netra::tasks {

// queued → running → succeeded | failed | cancelled; running → queued again (a retry after a
// failure, or released at shutdown); a job out of attempts ends `dead` with its last error.
enum class JobState { queued, running, succeeded, failed, cancelled, dead };
std::string_view to_string(JobState state);
std::optional<JobState> parse_job_state(std::string_view text);
bool is_terminal(JobState state);

struct Job {
  std::string id;  // "job_…"
  std::string kind;
  std::optional<std::string> user_id;  // the owner; none for the service's own work
  nlohmann::json payload = nlohmann::json::object();
  JobState state = JobState::queued;
  int64_t attempts = 0;  // claims so far, this one included
  int64_t max_attempts = 1;
  int64_t run_at = 0;  // Unix ms: not claimed before
  std::optional<std::string> lease_owner;
  std::optional<int64_t> lease_expires_at;
  double progress = 0;  // 0–1
  std::optional<std::string> message;
  std::optional<nlohmann::json> result;
  std::optional<std::string> error;
  std::optional<std::string> idempotency_key;
  bool cancel_requested = false;  // seen by the worker between chunks
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
};

struct NewJob {
  std::string kind;
  std::optional<std::string> user_id;
  nlohmann::json payload = nlohmann::json::object();
  int64_t max_attempts = 5;
  std::optional<int64_t> run_at;  // default: now
  std::optional<std::string> idempotency_key;
};

}  // namespace netra::tasks
