#include "net/server_span.hpp"

#include <cmath>

namespace netra::net {

telemetry::Span server_span(const HttpRequest& request, const std::string& route, int status,
                            double seconds) {
  telemetry::Span span;
  span.trace_id = request.trace.trace_id;
  span.span_id = request.trace.span_id;
  span.parent_span_id = request.trace.parent_id;
  span.kind = telemetry::SpanKind::server;
  span.end_unix_ns = telemetry::unix_now_ns();
  span.start_unix_ns = span.end_unix_ns - std::llround(seconds * 1e9);
  const bool matched = route != "unmatched";
  // The label is "<METHOD> <template>": the template is what follows the space.
  const auto space = route.find(' ');
  const std::string route_template = space == std::string::npos ? "" : route.substr(space + 1);
  span.name = matched ? route : request.method;
  span.attributes.push_back({"http.request.method", request.method});
  if (matched) span.attributes.push_back({"http.route", route_template});
  span.attributes.push_back({"url.path", request.path});
  span.attributes.push_back({"http.response.status_code", int64_t{status}});
  span.attributes.push_back({"client.address", request.remote_address});
  span.attributes.push_back({"netra.request_id", request.request_id});
  if (!request.user_id.empty()) span.attributes.push_back({"enduser.id", request.user_id});
  if (status >= 500) {
    span.error = true;
    span.status_message = "answered " + std::to_string(status);
  }
  return span;
}

}  // namespace netra::net
