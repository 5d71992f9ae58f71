// The server span of one answered request, as OpenTelemetry's HTTP conventions name it: "<method>
// <route template>" (never the path, which holds ids), kind SERVER, a child of the caller's span
// when a traceparent came with it, an error when the answer was 5xx.
#pragma once

#include <string>

#include "net/http_message.hpp"
#include "telemetry/span.hpp"

namespace netra::net {

// `route` is the route label ("GET /api/threads/{id}", or "unmatched"); the request took
// `seconds` and ends now.
telemetry::Span server_span(const HttpRequest& request, const std::string& route, int status,
                            double seconds);

}  // namespace netra::net
