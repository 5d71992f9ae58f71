#include "telemetry/otlp_json.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

namespace netra::telemetry {
namespace {

using nlohmann::json;

// OTLP's AnyValue: one of stringValue, intValue (a decimal string), doubleValue, boolValue.
json any_value(const std::variant<std::string, int64_t, double, bool>& value) {
  struct {
    json operator()(const std::string& s) const { return {{"stringValue", s}}; }
    json operator()(int64_t i) const { return {{"intValue", std::to_string(i)}}; }
    json operator()(double d) const { return {{"doubleValue", d}}; }
    json operator()(bool b) const { return {{"boolValue", b}}; }
  } visitor;
  return std::visit(visitor, value);
}

json key_value(const std::string& key, const std::variant<std::string, int64_t, double, bool>& v) {
  return {{"key", key}, {"value", any_value(v)}};
}

json span_json(const Span& span) {
  json attributes = json::array();
  for (const auto& a : span.attributes) attributes.push_back(key_value(a.key, a.value));
  json out = {{"traceId", std::string(span.trace_id.data(), span.trace_id.size())},
              {"spanId", std::string(span.span_id.data(), span.span_id.size())},
              {"name", span.name},
              {"kind", static_cast<int>(span.kind)},
              {"startTimeUnixNano", std::to_string(span.start_unix_ns)},
              {"endTimeUnixNano", std::to_string(span.end_unix_ns)},
              {"attributes", std::move(attributes)}};
  if (!span.parent_span_id.empty()) out["parentSpanId"] = span.parent_span_id;
  // STATUS_CODE_ERROR = 2; UNSET (0) is left out, as a default is in the JSON mapping.
  if (span.error) out["status"] = {{"code", 2}, {"message", span.status_message}};
  return out;
}

}  // namespace

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string otlp_trace_request(const std::vector<Span>& spans, const TraceResource& resource) {
  json resource_attributes = json::array({key_value("service.name", resource.service_name)});
  if (!resource.service_version.empty()) {
    resource_attributes.push_back(key_value("service.version", resource.service_version));
  }
  if (!resource.instance_id.empty()) {
    resource_attributes.push_back(key_value("service.instance.id", resource.instance_id));
  }
  json encoded = json::array();
  for (const auto& span : spans) encoded.push_back(span_json(span));
  const json request = {
      {"resourceSpans",
       json::array(
           {{{"resource", {{"attributes", std::move(resource_attributes)}}},
             {"scopeSpans",
              json::array({{{"scope", {{"name", "netra"}, {"version", resource.service_version}}},
                            {"spans", std::move(encoded)}}})}}})}};
  return request.dump();
}

}  // namespace netra::telemetry
