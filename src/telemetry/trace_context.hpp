// TraceContext: W3C Trace Context (https://www.w3.org/TR/trace-context/) for one request — the
// trace it belongs to, continued from the caller's `traceparent` header when that is valid or
// started here, and this service's span in it. The response's `traceparent` names that span, so
// a caller can find our part of its trace; the trace id goes into the access log line and error
// bodies (`error.trace_id`) so that one id follows a request through every log.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netra::telemetry {

struct TraceParent {
  std::string trace_id;   // 32 lower-case hex digits, not all zero
  std::string parent_id;  // 16 lower-case hex digits, not all zero: the caller's span
  uint8_t flags = 0;      // bit 0: sampled
};

// A `traceparent` header as §3.2 reads it: version 00 exactly ("00-" trace "-" parent "-"
// flags), or a later version (not ff) whose first four fields have that shape, followed by
// nothing or by "-" and more. Anything else is nullopt (and the trace is restarted, §3.2.2.1).
std::optional<TraceParent> parse_traceparent(std::string_view header);

// Fixed-size ids: every request has one, and they cost no allocation.
struct TraceContext {
  std::array<char, 32> trace_id{};  // lower-case hex
  std::array<char, 16> span_id{};   // this service's span for the request
  std::string parent_id;            // the caller's span; empty when the trace started here
  uint8_t flags = 0;
  std::string tracestate;  // passed on unchanged when the traceparent was valid (§3.3)

  std::string_view trace() const { return {trace_id.data(), trace_id.size()}; }
  bool sampled() const { return (flags & 0x01) != 0; }
  // "00-<trace_id>-<span_id>-<flags>": what the response and outbound calls carry.
  std::array<char, 55> traceparent() const;
};

// A new span id: 8 random bytes as 16 hex digits, never all zero.
std::array<char, 16> new_span_id();

// "00-<trace_id>-<span_id>-<flags>", the header naming span `span_id` of trace `trace_id`.
std::array<char, 55> format_traceparent(const std::array<char, 32>& trace_id,
                                        const std::array<char, 16>& span_id, uint8_t flags);

// The caller's trace with a new span of ours, or a new trace when `traceparent` is absent or
// invalid. Sampling is parent-based: a continued trace keeps its caller's sampled flag; a new one
// is sampled with probability `sample_ratio` (tracing.sample_ratio), decided from its trace id so
// that every service that sees the id decides alike. A tracestate over 512 bytes is dropped
// (§3.3.1.5).
TraceContext continue_or_start(std::string_view traceparent, std::string_view tracestate,
                               double sample_ratio = 1.0);

// Whether a trace id falls within `ratio` (0..1): OpenTelemetry's TraceIdRatioBased sampler,
// which reads the id's last 8 bytes as a fraction.
bool sampled_by_ratio(std::string_view trace_id, double ratio);

}  // namespace netra::telemetry
