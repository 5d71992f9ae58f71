// Whole-text integers: "42" reads, "42x", " 42" and "" do not (std::from_chars alone accepts a
// prefix). For the numeric fields read from files, URLs, Redis replies and database rows.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace netra::core {

template <typename Integer>
std::optional<Integer> parse_whole_integer(std::string_view text) {
  Integer value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace netra::core
