// Limits checked on a JSON text before it is built in memory: a parsed document takes many times
// its text (`[{},{},...]` about 20 times in nlohmann, 5 in Boost.JSON), so a body within its size
// limit can still be built to take far more memory than it is worth. One pass of Boost.JSON's
// event parser counts without allocating, then the caller builds what passed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netra::net {

struct JsonBounds {
  size_t max_depth = 8;               // containers around a value: the top level's values are at 0
  size_t max_values = 0;              // every value, containers included; 0 = no limit
  size_t max_top_level_elements = 0;  // elements of a top-level array; 0 = no limit
};

enum class JsonBoundsOutcome { within, invalid_json, too_deep, too_many_values, too_many_elements };

// Whether `text` is one JSON value within `bounds` (stops at the first bound passed).
JsonBoundsOutcome check_json_bounds(std::string_view text, const JsonBounds& bounds);

}  // namespace netra::net
