// Boost.JSON beside nlohmann: the request paths whose JSON cost shows (a page of threads is a
// fifth of the server's CPU through nlohmann's std::map-backed documents) write their answers
// with Boost.JSON, which bench/json_benchmark.cpp measures several times faster. The rest of the
// code keeps nlohmann; values cross over here, in one place.
#pragma once

#include <boost/json/value.hpp>
#include <nlohmann/json.hpp>

namespace netra::net {

// The same JSON as a Boost.JSON value, object keys in nlohmann's order (sorted). Numbers keep
// their kind (signed, unsigned, double); a double is written in Boost.JSON's shortest form that
// reads back equal ("1.5E0" where nlohmann writes "1.5").
boost::json::value to_boost_json(const nlohmann::json& value, boost::json::storage_ptr sp = {});

}  // namespace netra::net
