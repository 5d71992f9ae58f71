#include "api/mcp/mcp_session.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "auth/token_hash.hpp"
#include "core/id.hpp"

namespace netra::api::mcp {
namespace {

constexpr std::string_view kPrefix = "mcs_";
constexpr size_t kRandomChars = 22;  // core::make_id
constexpr size_t kTagChars = 11;     // 66 bits of the hash

std::string user_tag(std::string_view random, std::string_view user_id) {
  std::string bound = "mcp-session:";
  bound.append(user_id).append(":").append(random);
  return auth::token_hash(bound).substr(0, kTagChars);
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

const std::vector<std::string>& supported_versions() {
  static const std::vector<std::string> versions{"2025-11-25", "2025-06-18", "2025-03-26"};
  return versions;
}

std::string negotiate_version(std::string_view asked) {
  const auto& served = supported_versions();
  if (std::find(served.begin(), served.end(), asked) != served.end()) return std::string(asked);
  return served.front();
}

std::optional<std::string> refuse_version(std::string_view header) {
  if (header.empty()) return std::nullopt;
  const auto& served = supported_versions();
  if (std::find(served.begin(), served.end(), header) != served.end()) return std::nullopt;
  std::string list;
  for (const auto& v : served) list += (list.empty() ? "" : ", ") + v;
  return "MCP-Protocol-Version " + std::string(header.substr(0, 32)) +
         " is not served; this server speaks " + list;
}

std::string new_session_id(std::string_view user_id) {
  const auto random = core::make_id("mcs");
  return random + "." + user_tag(random, user_id);
}

bool is_session_of(std::string_view id, std::string_view user_id) {
  const auto dot = kPrefix.size() + kRandomChars;
  if (id.size() != dot + 1 + kTagChars || !id.starts_with(kPrefix) || id[dot] != '.') {
    return false;
  }
  const auto random = id.substr(0, dot);
  if (!std::all_of(random.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), random.end(),
                   is_base64url)) {
    return false;
  }
  // A client sends its session id with every request; the hash is computed once per thread for
  // each pair (it was a twentieth of the server's time under load), in a small direct-mapped
  // table of pairs already checked.
  struct Checked {
    std::string id, user_id;
  };
  thread_local std::array<Checked, 256> checked;
  auto& slot = checked[std::hash<std::string_view>{}(id) % checked.size()];
  if (slot.id == id && slot.user_id == user_id) return true;
  if (id.substr(dot + 1) != user_tag(random, user_id)) return false;
  slot = {std::string(id), std::string(user_id)};
  return true;
}

std::string revocation_key(std::string_view session_id) {
  std::string key;
  key.reserve(4 + session_id.size());
  key.append("mcp:").append(session_id);
  return key;
}

}  // namespace netra::api::mcp
