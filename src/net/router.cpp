#include "net/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace netra::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
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
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool matches = true;
    for (size_t i = 0; i < parts.size() && matches; ++i) {
      const auto& segment = route.segments[i];
      if (is_param(segment)) {
        if (parts[i].empty())
          matches = false;
        else
          params[segment.substr(1, segment.size() - 2)] = url_decode(parts[i], false);
      } else {
        matches = segment == parts[i];
      }
    }
    if (!matches) continue;
    allowed.insert(route.method);
    if (route.method == "GET") allowed.insert("HEAD");
    if (route.method == wanted) {
      result.outcome = Outcome::found;
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
  }
  if (!allowed.empty()) {
    result.outcome = Outcome::method_not_allowed;
    for (const auto& m : allowed) result.allow += (result.allow.empty() ? "" : ", ") + m;
  }
  return result;
}

}  // namespace netra::net
