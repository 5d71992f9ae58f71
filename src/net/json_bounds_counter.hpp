// JsonBoundsCounter: the handler of Boost.JSON's event parser that counts a document against its
// JsonBounds as it is read. check_json_bounds runs it alone, without building anything;
// parse_json_within runs it in front of the builder, so that one pass both checks and builds.
// Internal to net/'s JSON readers.
#pragma once

#include <boost/json/error.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/json_bounds.hpp"

namespace netra::net::detail {

// Boost.JSON's event parser calls these; returning false stops it (with an error code set, as
// the parser requires).
class JsonBoundsCounter {
 public:
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);

  explicit JsonBoundsCounter(const JsonBounds& bounds) : bounds_(bounds) {}
  JsonBoundsOutcome outcome = JsonBoundsOutcome::within;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code& ec) { return open(ec); }
  bool on_array_end(size_t, boost::system::error_code&) { return close(); }
  bool on_object_begin(boost::system::error_code& ec) { return open(ec); }
  bool on_object_end(size_t, boost::system::error_code&) { return close(); }
  // A string may come in parts: it is one value, counted where it begins.
  bool on_string_part(std::string_view, size_t, boost::system::error_code& ec) {
    if (in_string_) return true;
    in_string_ = true;
    return value(ec);
  }
  bool on_string(std::string_view, size_t, boost::system::error_code& ec) {
    if (in_string_) {
      in_string_ = false;
      return true;
    }
    return value(ec);
  }
  bool on_key_part(std::string_view, size_t, boost::system::error_code&) { return true; }
  bool on_key(std::string_view, size_t, boost::system::error_code&) { return true; }
  bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t, std::string_view, boost::system::error_code& ec) { return value(ec); }
  bool on_uint64(uint64_t, std::string_view, boost::system::error_code& ec) { return value(ec); }
  bool on_double(double, std::string_view, boost::system::error_code& ec) { return value(ec); }
  bool on_bool(bool, boost::system::error_code& ec) { return value(ec); }
  bool on_null(boost::system::error_code& ec) { return value(ec); }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }

 private:
  bool open(boost::system::error_code& ec) {
    if (!value(ec)) return false;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  // A value begins at the current depth.
  bool value(boost::system::error_code& ec) {
    if (depth_ > bounds_.max_depth) return stop(JsonBoundsOutcome::too_deep, ec);
    if (bounds_.max_values != 0 && ++values_ > bounds_.max_values) {
      return stop(JsonBoundsOutcome::too_many_values, ec);
    }
    if (depth_ == 1 && bounds_.max_top_level_elements != 0 &&
        ++elements_ > bounds_.max_top_level_elements) {
      return stop(JsonBoundsOutcome::too_many_elements, ec);
    }
    return true;
  }
  bool stop(JsonBoundsOutcome why, boost::system::error_code& ec) {
    outcome = why;
    ec = boost::json::error::exception;  // any error: it only stops the parser
    return false;
  }

  const JsonBounds& bounds_;
  size_t depth_ = 0;
  size_t values_ = 0;
  size_t elements_ = 0;
  bool in_string_ = false;
};

}  // namespace netra::net::detail
