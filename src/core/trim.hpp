// trimmed: text without the blanks (space, tab, CR, LF) at either end.
#pragma once

#include <string_view>

namespace netra::core {

inline std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace netra::core
