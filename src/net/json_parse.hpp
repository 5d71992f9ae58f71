// parse_json: Boost.JSON's parser with every floating-point number read correctly rounded. Boost
// 1.81's own reading of a double is off by an ulp for about one in five 17-digit numbers (the
// shortest form JavaScript and Python write for a double), which the workload-batch fuzzer found
// as a cost that changed on its way out and back; std::from_chars reads them exactly. The rest is
// Boost.JSON's: its event parser and its value_stack build the document.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

#include "net/json_bounds.hpp"

namespace netra::net {

// The document `text` holds (one JSON value, nothing after it but whitespace), in `sp`'s memory;
// null with `ec` set when it is not JSON.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec,
                              boost::json::storage_ptr sp = {});

// parse_json and check_json_bounds in one pass: the document, or null with `outcome` saying why
// (the bound it passed, or invalid_json). What a refused document had built is freed before this
// returns, and never exceeds what its bounds allow.
boost::json::value parse_json_within(std::string_view text, const JsonBounds& bounds,
                                     JsonBoundsOutcome& outcome, boost::json::storage_ptr sp = {});

}  // namespace netra::net
