#include "chat/chat_types.hpp"

#include <array>
#include <utility>

namespace netra::chat {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{{
    {Role::user, "user"},
    {Role::assistant, "assistant"},
    {Role::system, "system"},
}};

constexpr std::array<std::pair<RunStatus, std::string_view>, 6> kStatuses{{
    {RunStatus::queued, "queued"},
    {RunStatus::running, "running"},
    {RunStatus::completed, "completed"},
    {RunStatus::failed, "failed"},
    {RunStatus::cancelled, "cancelled"},
    {RunStatus::interrupted, "interrupted"},
}};

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Role role) {
  return name_of(kRoles, role);
}
std::optional<Role> parse_role(std::string_view text) {
  return value_of(kRoles, text);
}

std::string_view to_string(RunStatus status) {
  return name_of(kStatuses, status);
}
std::optional<RunStatus> parse_run_status(std::string_view text) {
  return value_of(kStatuses, text);
}

bool is_terminal(RunStatus status) {
  return status != RunStatus::queued && status != RunStatus::running;
}

}  // namespace netra::chat
