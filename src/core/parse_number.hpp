// Whole-text integers: "42" reads, "42x", " 42" and "" do not (std::from_chars alone accepts a
// prefix). For the numeric fields read from files, URLs, Redis replies and database rows.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace netra::core {

template <typename Integer>
std::optional<Integer> parse_whole_integer(std::string_view text) {
  if constexpr (std::is_same_v<Integer, int64_t>) {
    // A page of rows reads three integers a row (timestamps in milliseconds, 13 digits), and
    // libstdc++ 12's from_chars checks for overflow at every digit: 138 instructions a call under
    // callgrind. Eighteen digits cannot overflow an int64_t, so they are summed unchecked; longer
    // text goes to from_chars, which decides its range.
    const bool negative = !text.empty() && text.front() == '-';
    const std::string_view digits = text.substr(negative ? 1 : 0);
    if (!digits.empty() && digits.size() <= 18) {
      int64_t value = 0;
      for (const char c : digits) {
        const auto digit = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
        if (digit > 9) return std::nullopt;
        value = value * 10 + digit;
      }
      return negative ? -value : value;
    }
  }
  Integer value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace netra::core
