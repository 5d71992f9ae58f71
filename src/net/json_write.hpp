// Writing JSON text directly, for answers too busy to build a document first (a page of threads,
// a batch of workload rows): the caller writes the structure (keys it knows, numbers with
// fmt::format_int, commas) and every string goes through Boost.JSON's serializer, so escaping is
// the library's.
#pragma once

#include <string>
#include <string_view>

namespace netra::net {

// `text` as a quoted JSON string: quote, backslash and control characters escaped, every other
// byte as it is (the caller's text is UTF-8).
void append_json_string(std::string& out, std::string_view text);

}  // namespace netra::net
