// HttpRequest / HttpResponse: what route handlers see and return — plain values, no Beast, so
// domain code and tests build without the HTTP library.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/trace_context.hpp"

namespace netra::net {

class StreamBody;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...; HEAD is served by GET routes
  std::string target;  // as sent: path and query
  std::string path;    // decoded path without the query
  std::string query;   // the raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string request_id;
  // The W3C trace this request belongs to (its traceparent, or one started here) and our span.
  telemetry::TraceContext trace;
  std::map<std::string, std::string> path_params;  // {id} in the route template
  std::string remote_address;
  uint16_t remote_port = 0;      // tells connections from one address apart (keep-alive tests)
  std::string user_id;           // set for authenticated routes
  int64_t token_expires_at = 0;  // authenticated routes: when the caller's token expires
  std::string session_id;        // authenticated routes: the caller's login, when known
  std::string api_key_id;        // authenticated routes: the API key that called, if one did
  std::vector<std::string> api_key_scopes;  // and what that key may call (RouteOptions::key_scope)
  // Set once the caller was authenticated from the header, before the body was read.
  bool authenticated = false;
  // What the route's admission (RouteOptions::admit) reserved for this request, held until the
  // request is answered.
  std::shared_ptr<void> admission = nullptr;

  // The first header with that lower-case name, or "".
  std::string_view header(std::string_view lower_name) const;
  // A query parameter (decoded), or "".
  std::string query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  // A literal (static storage): a view, so that answering does not allocate a copy of it.
  std::string_view content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after this response
  // A body written as it is produced (net/response_stream.hpp) instead of `body`.
  std::shared_ptr<StreamBody> stream = nullptr;

  HttpResponse& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// A JSON body with status 200 (or the one given).
HttpResponse json_response(std::string body, int status = 200);

// Percent-decoding of a path or query component ('+' as space only in queries).
std::string url_decode(std::string_view text, bool plus_is_space);

}  // namespace netra::net
