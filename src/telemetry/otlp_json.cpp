#include "telemetry/otlp_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

namespace netra::telemetry {
namespace {

namespace json = boost::json;

// OTLP's AnyValue: one of stringValue, intValue (a decimal string), doubleValue, boolValue.
json::object any_value(const std::variant<std::string, int64_t, double, bool>& value,
                       json::storage_ptr sp) {
  json::object out(sp);
  struct {
    json::object& out;
    void operator()(const std::string& s) const { out.emplace("stringValue", s); }
    void operator()(int64_t i) const { out.emplace("intValue", std::to_string(i)); }
    void operator()(double d) const { out.emplace("doubleValue", d); }
    void operator()(bool b) const { out.emplace("boolValue", b); }
  } visitor{out};
  std::visit(visitor, value);
  return out;
}

json::object key_value(const std::string& key,
                       const std::variant<std::string, int64_t, double, bool>& v,
                       const json::storage_ptr& sp) {
  json::object out(sp);
  out.emplace("key", key);
  out.emplace("value", any_value(v, sp));
  return out;
}

json::object span_json(const Span& span, const json::storage_ptr& sp) {
  json::array attributes(sp);
  attributes.reserve(span.attributes.size());
  for (const auto& a : span.attributes) attributes.emplace_back(key_value(a.key, a.value, sp));
  json::object out(sp);
  out.reserve(9);
  out.emplace("traceId", json::string_view(span.trace_id.data(), span.trace_id.size()));
  out.emplace("spanId", json::string_view(span.span_id.data(), span.span_id.size()));
  if (!span.parent_span_id.empty()) out.emplace("parentSpanId", span.parent_span_id);
  out.emplace("name", span.name);
  out.emplace("kind", static_cast<int>(span.kind));
  out.emplace("startTimeUnixNano", std::to_string(span.start_unix_ns));
  out.emplace("endTimeUnixNano", std::to_string(span.end_unix_ns));
  out.emplace("attributes", std::move(attributes));
  // STATUS_CODE_ERROR = 2; UNSET (0) is left out, as a default is in the JSON mapping.
  if (span.error) {
    json::object status(sp);
    status.emplace("code", 2);
    status.emplace("message", span.status_message);
    out.emplace("status", std::move(status));
  }
  return out;
}

}  // namespace

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Boost.JSON over one arena for the whole body: a batch of 512 spans is thousands of small
// objects, which nlohmann's DOM allocated one by one on the event loop (bench/tracing_overhead.sh).
std::string otlp_trace_request(const std::vector<Span>& spans, const TraceResource& resource) {
  json::monotonic_resource arena;
  const json::storage_ptr sp(&arena);
  json::array resource_attributes(sp);
  resource_attributes.emplace_back(key_value("service.name", resource.service_name, sp));
  if (!resource.service_version.empty()) {
    resource_attributes.emplace_back(key_value("service.version", resource.service_version, sp));
  }
  if (!resource.instance_id.empty()) {
    resource_attributes.emplace_back(key_value("service.instance.id", resource.instance_id, sp));
  }
  json::array encoded(sp);
  encoded.reserve(spans.size());
  for (const auto& span : spans) encoded.emplace_back(span_json(span, sp));

  json::object scope(sp);
  scope.emplace("name", "netra");
  scope.emplace("version", resource.service_version);
  json::object scope_spans(sp);
  scope_spans.emplace("scope", std::move(scope));
  scope_spans.emplace("spans", std::move(encoded));
  json::object resource_object(sp);
  resource_object.emplace("attributes", std::move(resource_attributes));
  json::object resource_spans(sp);
  resource_spans.emplace("resource", std::move(resource_object));
  json::array scope_spans_list(sp);
  scope_spans_list.emplace_back(std::move(scope_spans));
  resource_spans.emplace("scopeSpans", std::move(scope_spans_list));
  json::array resource_spans_list(sp);
  resource_spans_list.emplace_back(std::move(resource_spans));
  json::object request(sp);
  request.emplace("resourceSpans", std::move(resource_spans_list));
  return json::serialize(request);
}

}  // namespace netra::telemetry
