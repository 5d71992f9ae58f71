#include "net/json_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <string>

namespace netra::net {
namespace {

using boost::system::error_code;

// What Boost.JSON's own parser does with each event, but for doubles.
class Builder {
 public:
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);

  explicit Builder(boost::json::storage_ptr sp) : storage_(std::move(sp)) {}
  boost::json::value release() { return stack_.release(); }

  bool on_document_begin(error_code&) {
    stack_.reset(storage_);
    return true;
  }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(size_t n, error_code&) {
    stack_.push_array(n);
    return true;
  }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(size_t n, error_code&) {
    stack_.push_object(n);
    return true;
  }
  bool on_string_part(std::string_view s, size_t, error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(std::string_view s, size_t, error_code&) {
    stack_.push_string(s);
    return true;
  }
  bool on_key_part(std::string_view s, size_t, error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_key(std::string_view s, size_t, error_code&) {
    stack_.push_key(s);
    return true;
  }
  bool on_number_part(std::string_view s, error_code&) {
    number_.append(s);
    return true;
  }
  bool on_int64(int64_t i, std::string_view, error_code&) {
    number_.clear();
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, std::string_view, error_code&) {
    number_.clear();
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, std::string_view s, error_code&) {
    std::string_view text = s;
    if (!number_.empty()) text = number_.append(s);
    double exact = d;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), exact);
    // Out of range ("1e400"): what Boost.JSON made of it stands.
    stack_.push_double(error == std::errc() && end == text.data() + text.size() ? exact : d);
    number_.clear();
    return true;
  }
  bool on_bool(bool b, error_code&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  boost::json::storage_ptr storage_;
  boost::json::value_stack stack_;
  std::string number_;  // a number's text so far, when it came in parts
};

// Counts a document against its JsonBounds as the parser reads it, in front of the Builder; a
// `false` stops the parser (with an error code set, as Boost.JSON requires).
class BoundsCounter {
 public:
  explicit BoundsCounter(const JsonBounds& bounds) : bounds_(bounds) {}
  JsonBoundsOutcome outcome = JsonBoundsOutcome::within;

  bool open(error_code& ec) {  // an array or an object begins: a value, then one level deeper
    if (!value(ec)) return false;
    ++depth_;
    return true;
  }
  void close() { --depth_; }
  // A string may come in parts: it is one value, counted where it begins.
  bool string_part(error_code& ec) {
    if (in_string_) return true;
    in_string_ = true;
    return value(ec);
  }
  bool string_end(error_code& ec) {
    if (in_string_) {
      in_string_ = false;
      return true;
    }
    return value(ec);
  }
  // A value begins at the current depth.
  bool value(error_code& ec) {
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

 private:
  bool stop(JsonBoundsOutcome why, error_code& ec) {
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

// The counter first, then the builder: a document past its bounds stops being built at the value
// that passed them, so what it takes in memory is bounded by the bounds themselves.
class BoundedBuilder : public Builder {
 public:
  BoundedBuilder(const JsonBounds& bounds, boost::json::storage_ptr sp)
      : Builder(std::move(sp)), counter_(bounds) {}
  JsonBoundsOutcome outcome() const { return counter_.outcome; }

  bool on_array_begin(error_code& ec) { return counter_.open(ec); }
  bool on_array_end(size_t n, error_code& ec) {
    counter_.close();
    return Builder::on_array_end(n, ec);
  }
  bool on_object_begin(error_code& ec) { return counter_.open(ec); }
  bool on_object_end(size_t n, error_code& ec) {
    counter_.close();
    return Builder::on_object_end(n, ec);
  }
  bool on_string_part(std::string_view s, size_t n, error_code& ec) {
    return counter_.string_part(ec) && Builder::on_string_part(s, n, ec);
  }
  bool on_string(std::string_view s, size_t n, error_code& ec) {
    return counter_.string_end(ec) && Builder::on_string(s, n, ec);
  }
  bool on_int64(int64_t i, std::string_view s, error_code& ec) {
    return counter_.value(ec) && Builder::on_int64(i, s, ec);
  }
  bool on_uint64(uint64_t u, std::string_view s, error_code& ec) {
    return counter_.value(ec) && Builder::on_uint64(u, s, ec);
  }
  bool on_double(double d, std::string_view s, error_code& ec) {
    return counter_.value(ec) && Builder::on_double(d, s, ec);
  }
  bool on_bool(bool b, error_code& ec) { return counter_.value(ec) && Builder::on_bool(b, ec); }
  bool on_null(error_code& ec) { return counter_.value(ec) && Builder::on_null(ec); }

 private:
  BoundsCounter counter_;
};

// Every event accepted and nothing kept: the parser alone says whether the text is JSON.
struct Validator {
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(size_t, error_code&) { return true; }
  bool on_string_part(std::string_view, size_t, error_code&) { return true; }
  bool on_string(std::string_view, size_t, error_code&) { return true; }
  bool on_key_part(std::string_view, size_t, error_code&) { return true; }
  bool on_key(std::string_view, size_t, error_code&) { return true; }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(int64_t, std::string_view, error_code&) { return true; }
  bool on_uint64(uint64_t, std::string_view, error_code&) { return true; }
  bool on_double(double, std::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }
};

}  // namespace

bool is_json(std::string_view text) {
  boost::json::basic_parser<Validator> parser(boost::json::parse_options{});
  error_code ec;
  const auto read = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && read == text.size();
}

boost::json::value parse_json_within(std::string_view text, const JsonBounds& bounds,
                                     JsonBoundsOutcome& outcome, boost::json::storage_ptr sp) {
  boost::json::parse_options options;
  options.max_depth = bounds.max_depth + 2;  // ours is checked first, with its own answer
  boost::json::basic_parser<BoundedBuilder> parser(options, bounds, sp);
  error_code ec;
  const auto read = parser.write_some(false, text.data(), text.size(), ec);
  outcome = parser.handler().outcome();
  if (outcome != JsonBoundsOutcome::within) return nullptr;
  if (ec || read < text.size()) {
    outcome = JsonBoundsOutcome::invalid_json;
    return nullptr;
  }
  return parser.handler().release();
}

boost::json::value parse_json(std::string_view text, error_code& ec, boost::json::storage_ptr sp) {
  boost::json::basic_parser<Builder> parser(boost::json::parse_options{}, sp);
  const auto read = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && read < text.size()) ec = boost::json::error::extra_data;  // as boost::json::parse
  if (ec) return nullptr;
  return parser.handler().release();
}

}  // namespace netra::net
