// Span: one finished operation of a trace — a request, a statement, a call — as the exporter sends
// it over OTLP. Made when the operation ends; its ids come from the request's TraceContext.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace netra::telemetry {

// OTLP's SpanKind values.
enum class SpanKind : int { internal = 1, server = 2, client = 3 };

struct SpanAttribute {
  std::string key;  // OpenTelemetry's semantic names: "http.route", "db.statement", ...
  std::variant<std::string, int64_t, double, bool> value;
};

struct Span {
  std::array<char, 32> trace_id{};  // lower-case hex
  std::array<char, 16> span_id{};
  std::string parent_span_id;  // empty for a root span
  std::string name;            // low-cardinality: a route template, never a path with ids
  SpanKind kind = SpanKind::internal;
  int64_t start_unix_ns = 0;
  int64_t end_unix_ns = 0;
  bool error = false;  // OTLP status ERROR (else UNSET)
  std::string status_message;
  std::vector<SpanAttribute> attributes;
};

// Nanoseconds since the Unix epoch, now (the system clock: spans are placed on a wall timeline).
int64_t unix_now_ns();

}  // namespace netra::telemetry
