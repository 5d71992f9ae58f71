#include "net/json_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>
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

}  // namespace

boost::json::value parse_json(std::string_view text, error_code& ec, boost::json::storage_ptr sp) {
  boost::json::basic_parser<Builder> parser(boost::json::parse_options{}, sp);
  const auto read = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && read < text.size()) ec = boost::json::error::extra_data;  // as boost::json::parse
  if (ec) return nullptr;
  return parser.handler().release();
}

}  // namespace netra::net
