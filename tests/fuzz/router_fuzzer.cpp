// The router and its path parameters, with the service's real route table (every path and method
// of the OpenAPI document, which tests/api/openapi_test.cpp holds equal to the routes served).
// An input is "METHOD /path". A match must be the route the path spells: its literal segments
// equal, a non-empty value for each {parameter}, the method its own (HEAD for GET); a path only
// other methods serve is 405 with those methods in Allow.
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/openapi.hpp"
#include "fuzz/fuzz_check.hpp"
#include "net/router.hpp"

namespace {

using netra::net::Router;

Router real_routes() {
  Router router;
  const auto document = netra::api::openapi_document();
  for (const auto& [path, operations] : document.at("paths").items())
    for (const auto& [method, operation] : operations.items()) {
      std::string upper;
      for (const char c : method) upper += static_cast<char>(std::toupper(c));
      if (upper != "HEAD") router.add(upper, path, netra::net::Handler{});
    }
  return router;
}

size_t segment_count(std::string_view path) {
  size_t slashes = 0;
  for (const char c : path) slashes += c == '/';
  return slashes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Router router = real_routes();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto space = input.find(' ');
  if (space == std::string_view::npos) return -1;
  const auto method = input.substr(0, space), path = input.substr(space + 1);

  const auto match = router.match(method, path);
  switch (match.outcome) {
    case Router::Outcome::found: {
      const auto& route = *match.route;
      FUZZ_CHECK(route.method == method || (method == "HEAD" && route.method == "GET"));
      FUZZ_CHECK(segment_count(route.pattern) == segment_count(path));
      size_t parameters = 0;
      for (const auto& segment : route.segments) parameters += segment.starts_with('{');
      FUZZ_CHECK(match.params.size() == parameters);
      for (const auto& [name, value] : match.params) {
        FUZZ_CHECK(route.pattern.find("{" + name + "}") != std::string::npos);
        FUZZ_CHECK(!value.empty());
      }
      break;
    }
    case Router::Outcome::method_not_allowed:
      FUZZ_CHECK(!match.allow.empty());
      for (std::string_view allowed = match.allow; !allowed.empty();) {
        const auto comma = allowed.find(", ");
        FUZZ_CHECK(allowed.substr(0, comma) != method);
        allowed.remove_prefix(comma == std::string_view::npos ? allowed.size() : comma + 2);
      }
      break;
    case Router::Outcome::not_found:
      FUZZ_CHECK(match.route == nullptr && match.params.empty());
      break;
  }
  return 0;
}
