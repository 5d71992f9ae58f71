// A request as " word word " in lower case, so that a phrase is found as whole words by looking
// for " phrase " — how the rules that read a request (intent, what-if) find their cue phrases.
#pragma once

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <string_view>

namespace netra::agents::detail {

// Runs of letters and digits, with the `joiners` inside a word ("-_'" keeps "gpt-4o" and "don't"
// whole); each of `alone` is a word of its own ("$"); anything else separates words.
inline std::string spaced_words(std::string_view text, std::string_view joiners = "",
                                std::string_view alone = "") {
  std::string out = " ";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || joiners.find(c) != std::string_view::npos) {
      out.push_back(static_cast<char>(std::tolower(u)));
      continue;
    }
    if (out.back() != ' ') out.push_back(' ');
    if (alone.find(c) != std::string_view::npos) out.append(1, c).push_back(' ');
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

// Whether `spaced` (spaced_words) holds `phrase` (lower case, words separated by one space).
inline bool has_phrase(const std::string& spaced, std::string_view phrase) {
  return spaced.find(" " + std::string(phrase) + " ") != std::string::npos;
}

inline bool has_any(const std::string& spaced, std::initializer_list<std::string_view> phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](std::string_view p) { return has_phrase(spaced, p); });
}

}  // namespace netra::agents::detail
