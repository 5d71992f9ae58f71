// Lists of names (models, workloads, vendors) as the agents' steps compare them.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace netra::agents::detail {

inline bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace netra::agents::detail
