#include "tasks/job.hpp"

#include <array>
#include <utility>

namespace netra::tasks {

namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 6> kNames{{
    {JobState::queued, "queued"},
    {JobState::running, "running"},
    {JobState::succeeded, "succeeded"},
    {JobState::failed, "failed"},
    {JobState::cancelled, "cancelled"},
    {JobState::dead, "dead"},
}};

}  // namespace

std::string_view to_string(JobState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<JobState> parse_job_state(std::string_view text) {
  for (const auto& [s, name] : kNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

bool is_terminal(JobState state) {
  return state != JobState::queued && state != JobState::running;
}

}  // namespace netra::tasks
