// did_you_mean: the closest known name to a misspelt one, for error messages about unknown
// configuration keys, component names and dependencies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::core {

// The candidate nearest to `name` by edit distance, if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view name,
                                         const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace netra::core
