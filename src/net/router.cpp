#include "net/router.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <set>
#include <stdexcept>

namespace netra::net {
namespace {

// Inline for the usual few segments: matching a request allocates nothing until it has matched.
using Segments = boost::container::small_vector<std::string_view, 8>;

Segments split_path(std::string_view path) {
  Segments parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("duplicate route " + method + " " + pattern);
    }
  }
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  for (auto part : split_path(route.pattern)) route.segments.emplace_back(part);
  route.handler = std::move(handler);
  route.options = std::move(options);
  route.label = route.method + " " + route.pattern;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;
  const auto parts = split_path(path);
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  boost::container::small_vector<std::string_view, 4> other_methods;  // of routes at this path
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < parts.size() && matches; ++i) {
      const auto& segment = route.segments[i];
      matches = is_param(segment) ? !parts[i].empty() : segment == parts[i];
    }
    if (!matches) continue;
    if (route.method != wanted) {
      other_methods.push_back(route.method);
      continue;
    }
    // Parameters are decoded for the route that answers only.
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& segment = route.segments[i];
      if (is_param(segment)) {
        result.params[segment.substr(1, segment.size() - 2)] = url_decode(parts[i], false);
      }
    }
    result.outcome = Outcome::found;
    result.route = &route;
    return result;
  }
  if (!other_methods.empty()) {
    std::set<std::string> allowed(other_methods.begin(), other_methods.end());
    if (allowed.count("GET") != 0) allowed.insert("HEAD");
    result.outcome = Outcome::method_not_allowed;
    for (const auto& m : allowed) result.allow += (result.allow.empty() ? "" : ", ") + m;
  }
  return result;
}

}  // namespace netra::net
