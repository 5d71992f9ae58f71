// parse_json: Boost.JSON's parser with every floating-point number read correctly rounded. Boost
// 1.81's own reading of a double is off by an ulp for about one in five 17-digit numbers (the
// shortest form JavaScript and Python write for a double), which the workload-batch fuzzer found
// as a cost that changed on its way out and back; std::from_chars reads them exactly. The rest is
// Boost.JSON's: its event parser and its value_stack build the document.
//
// parse_json_within also holds the document to bounds while it is built: a parsed document takes
// many times its text (`[{},{},...]` about 20 times in nlohmann, 5 in Boost.JSON), so a body
// within its size limit could still be built to take far more memory than it is worth. Building
// stops at the first value past a bound, so what a refused text costs is bounded by the bounds.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

namespace netra::net {

struct JsonBounds {
  size_t max_depth = 8;               // containers around a value: the top level's values are at 0
  size_t max_values = 0;              // every value, containers included; 0 = no limit
  size_t max_top_level_elements = 0;  // elements of a top-level array; 0 = no limit
};

enum class JsonBoundsOutcome { within, invalid_json, too_deep, too_many_values, too_many_elements };

// The document `text` holds (one JSON value, nothing after it but whitespace), in `sp`'s memory;
// null with `ec` set when it is not JSON.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec,
                              boost::json::storage_ptr sp = {});

// parse_json within `bounds`, in one pass: the document, or null with `outcome` saying why (the
// first bound it passed, or invalid_json). What a refused document had built is freed before this
// returns (or, in an arena, with the arena), and never exceeds what its bounds allow.
boost::json::value parse_json_within(std::string_view text, const JsonBounds& bounds,
                                     JsonBoundsOutcome& outcome, boost::json::storage_ptr sp = {});

// Whether `text` is one JSON value (nothing after it but whitespace), read without building it:
// for text that is passed on as it is once known to be JSON (a thread's stored metadata).
bool is_json(std::string_view text);

}  // namespace netra::net
