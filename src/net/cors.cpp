#include "net/cors.hpp"

#include <algorithm>

#include "core/configuration_error.hpp"
#include "net/http_url.hpp"
#include "net/json_error.hpp"
#include "net/router.hpp"

namespace netra::net {

namespace {

// What a page may send beyond the CORS-safelisted headers: the token, a JSON body, the resume
// point of an event stream, trace context and our request id.
constexpr std::string_view kAllowedHeaders =
    "Authorization, Content-Type, Last-Event-ID, traceparent, tracestate, X-Request-Id, "
    "Mcp-Session-Id, MCP-Protocol-Version";
// What a page may read of an answer beyond the safelisted headers.
constexpr std::string_view kExposedHeaders =
    "X-Request-Id, Retry-After, traceparent, Mcp-Session-Id";
// How long a browser may reuse a preflight's answer (seconds): origins change only on restart.
constexpr std::string_view kMaxAgeSeconds = "600";

std::string canonical_origin(const HttpUrl& url) {
  return std::string(url.tls ? "https://" : "http://") + url.host_header;
}

}  // namespace

CorsPolicy CorsPolicy::parse(const std::vector<std::string>& origins) {
  CorsPolicy policy;
  std::vector<std::string> errors;
  for (const auto& entry : origins) {
    auto problem = [&](const std::string& why) {
      errors.push_back("server.cors_origins: '" + entry + "' " + why);
    };
    if (entry == "*" || entry.find('*') != std::string::npos) {
      problem("is a wildcard; list each origin exactly (https://app.example.com)");
      continue;
    }
    auto url = parse_http_url(entry);
    if (!url) {
      problem("is not an origin: " + url.error());
      continue;
    }
    if (url.value().target != "/" || entry.find_first_of("?#") != std::string::npos) {
      problem("has a path, query or fragment; an origin is scheme://host[:port] only");
      continue;
    }
    auto origin = canonical_origin(url.value());
    if (std::find(policy.origins_.begin(), policy.origins_.end(), origin) ==
        policy.origins_.end()) {
      policy.origins_.push_back(std::move(origin));
    }
  }
  if (!errors.empty()) throw core::ConfigurationError(std::move(errors));
  return policy;
}

bool CorsPolicy::allows(std::string_view origin) const {
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::is_preflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && !request.header("origin").empty() &&
         !request.header("access-control-request-method").empty();
}

HttpResponse CorsPolicy::preflight(const HttpRequest& request, const Router& router) const {
  const auto origin = request.header("origin");
  if (!allows(origin)) {
    auto refused =
        json_error(403, "origin_not_allowed",
                   "the origin " + std::string(origin) + " is not among server.cors_origins");
    refused.with_header("Vary", "Origin");
    return refused;
  }
  // No route answers OPTIONS, so matching it yields every method the path has (its Allow list).
  const auto match = router.match("OPTIONS", request.path);
  if (match.outcome == Router::Outcome::not_found) {
    auto missing = json_error(404, "not_found", "no route for " + request.path);
    missing.with_header("Access-Control-Allow-Origin", std::string(origin));
    missing.with_header("Vary", "Origin");
    return missing;
  }
  HttpResponse allowed;
  allowed.status = 204;
  allowed.with_header("Access-Control-Allow-Origin", std::string(origin))
      .with_header("Access-Control-Allow-Methods", match.allow)
      .with_header("Access-Control-Allow-Headers", std::string(kAllowedHeaders))
      .with_header("Access-Control-Max-Age", std::string(kMaxAgeSeconds))
      .with_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return allowed;
}

void CorsPolicy::decorate(const HttpRequest& request, HttpResponse& response) const {
  if (origins_.empty()) return;
  const auto origin = request.header("origin");
  if (origin.empty()) return;
  // A preflight's answer carries its own: a second Access-Control-Allow-Origin (or Vary) would
  // make a browser refuse it.
  const auto has = [&response](std::string_view name) {
    return std::any_of(response.headers.begin(), response.headers.end(),
                       [name](const auto& header) { return header.first == name; });
  };
  if (has("Access-Control-Allow-Origin")) return;
  if (!has("Vary")) response.with_header("Vary", "Origin");
  if (!allows(origin)) return;
  response.with_header("Access-Control-Allow-Origin", std::string(origin))
      .with_header("Access-Control-Expose-Headers", std::string(kExposedHeaders));
}

std::optional<HttpResponse> CorsPolicy::refuse_channel(const HttpRequest& request) const {
  const auto origin = request.header("origin");
  if (origin.empty() || allows(origin)) return std::nullopt;
  // The server's own pages: the Origin names the host the request was sent to.
  const auto url = parse_http_url(origin);
  if (url && url.value().host_header == request.header("host")) return std::nullopt;
  return json_error(403, "origin_not_allowed",
                    "the origin " + std::string(origin) + " is not among server.cors_origins");
}

std::optional<HttpResponse> CorsPolicy::refuse_unlisted(const HttpRequest& request) const {
  const auto origin = request.header("origin");
  if (origin.empty() || allows(origin)) return std::nullopt;
  return json_error(403, "origin_not_allowed",
                    "the origin " + std::string(origin) + " is not among server.cors_origins");
}

}  // namespace netra::net
