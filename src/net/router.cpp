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

bool segments_match(const Route& route, const Segments& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = route.segments[i];
    if (is_param(segment) ? parts[i].empty() : segment != parts[i]) return false;
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  add(Route{.method = std::move(method),
            .pattern = std::move(pattern),
            .handler = std::move(handler),
            .options = std::move(options)});
}

void Router::add(std::string method, std::string pattern, InlineHandler answer,
                 RouteOptions options) {
  add(Route{.method = std::move(method),
            .pattern = std::move(pattern),
            .answer = std::move(answer),
            .options = std::move(options)});
}

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + route.pattern);
  }
  for (const auto& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) {
      throw std::invalid_argument("duplicate route " + route.method + " " + route.pattern);
    }
  }
  for (auto part : split_path(route.pattern)) route.segments.emplace_back(part);
  route.label = route.method + " " + route.pattern;
  const size_t index = routes_.size();
  if (std::any_of(route.segments.begin(), route.segments.end(), is_param)) {
    const size_t count = route.segments.size();
    if (param_routes_by_segments_.size() <= count) param_routes_by_segments_.resize(count + 1);
    param_routes_by_segments_[count].push_back(index);
  } else {
    const Segments parts(route.segments.begin(), route.segments.end());
    bool shadowed = false;
    if (parts.size() < param_routes_by_segments_.size()) {
      for (const size_t earlier : param_routes_by_segments_[parts.size()]) {
        const Route& other = routes_[earlier];
        shadowed = shadowed || (other.method == route.method && segments_match(other, parts));
      }
    }
    literal_routes_[route.pattern].push_back({index, shadowed});
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const auto exact = literal_routes_.find(path);
  static const std::vector<LiteralRoute> kNoLiteralRoutes;
  static const std::vector<size_t> kNoRoutes;
  const auto& literal = exact == literal_routes_.end() ? kNoLiteralRoutes : exact->second;
  // The usual case, answered without splitting the path: a route without parameters that no
  // earlier route shadows.
  for (const auto& candidate : literal) {
    const Route& route = routes_[candidate.index];
    if (!candidate.shadowed && route.method == wanted) {
      result.outcome = Outcome::found;
      result.route = &route;
      return result;
    }
  }
  // The candidates, merged in the order their routes were added: the routes without parameters
  // whose pattern is this path, and the routes with parameters of as many segments.
  const auto parts = split_path(path);
  const auto& with_params = parts.size() < param_routes_by_segments_.size()
                                ? param_routes_by_segments_[parts.size()]
                                : kNoRoutes;
  boost::container::small_vector<std::string_view, 4> other_methods;  // of routes at this path
  size_t next_literal = 0;
  size_t next_with_params = 0;
  while (next_literal < literal.size() || next_with_params < with_params.size()) {
    const bool take_literal = next_with_params == with_params.size() ||
                              (next_literal < literal.size() &&
                               literal[next_literal].index < with_params[next_with_params]);
    const Route& route =
        routes_[take_literal ? literal[next_literal++].index : with_params[next_with_params++]];
    if (!take_literal && !segments_match(route, parts)) continue;
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
