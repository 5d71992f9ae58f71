#include "net/json_bounds.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include "net/json_bounds_counter.hpp"

namespace netra::net {

JsonBoundsOutcome check_json_bounds(std::string_view text, const JsonBounds& bounds) {
  boost::json::parse_options options;
  options.max_depth = bounds.max_depth + 2;  // ours is checked first, with its own answer
  boost::json::basic_parser<detail::JsonBoundsCounter> parser(options, bounds);
  boost::system::error_code ec;
  const size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().outcome != JsonBoundsOutcome::within) return parser.handler().outcome;
  if (ec || used != text.size()) return JsonBoundsOutcome::invalid_json;
  return JsonBoundsOutcome::within;
}

}  // namespace netra::net
