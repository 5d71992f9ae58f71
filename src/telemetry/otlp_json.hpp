// The OTLP/HTTP JSON encoding of spans (ExportTraceServiceRequest, opentelemetry-proto 1.x, as
// the OTLP specification maps protobuf to JSON: ids in hex, 64-bit integers as strings, enums as
// numbers, field names in lowerCamelCase).
#pragma once

#include <string>
#include <vector>

#include "telemetry/span.hpp"

namespace netra::telemetry {

// Who sent the spans: the resource every span of a batch belongs to.
struct TraceResource {
  std::string service_name = "netra";
  std::string service_version;
  std::string instance_id;  // service.instance.id: tells the instances behind a balancer apart
};

// One request body for POST /v1/traces: every span under one resource and one scope.
std::string otlp_trace_request(const std::vector<Span>& spans, const TraceResource& resource);

}  // namespace netra::telemetry
