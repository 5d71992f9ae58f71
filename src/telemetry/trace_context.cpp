#include "telemetry/trace_context.hpp"

#include <algorithm>
#include <array>

#include "core/id.hpp"

namespace netra::telemetry {
namespace {

constexpr size_t kMaxTracestate = 512;

bool lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view text) {
  return text.find_first_not_of('0') == std::string_view::npos;
}

int hex_value(char c) {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

constexpr char kDigits[] = "0123456789abcdef";

// N random bytes as 2N hex digits, never all zero (an all-zero id is invalid, §3.2.2.3).
template <size_t N>
void random_hex(std::array<char, 2 * N>& out) {
  std::array<unsigned char, N> bytes{};
  do {
    core::fill_random(bytes.data(), bytes.size());
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  for (size_t i = 0; i < N; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view h) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2): 55 characters.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2);
  const auto trace_id = h.substr(3, 32);
  const auto parent_id = h.substr(36, 16);
  const auto flags = h.substr(53, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return std::nullopt;
  if (!lower_hex(trace_id) || !lower_hex(parent_id) || !lower_hex(flags)) return std::nullopt;
  if (all_zero(trace_id) || all_zero(parent_id)) return std::nullopt;
  TraceParent parsed{std::string(trace_id), std::string(parent_id),
                     static_cast<uint8_t>(hex_value(flags[0]) * 16 + hex_value(flags[1]))};
  return parsed;
}

std::array<char, 16> new_span_id() {
  std::array<char, 16> id{};
  random_hex<8>(id);
  return id;
}

std::array<char, 55> format_traceparent(const std::array<char, 32>& trace_id,
                                        const std::array<char, 16>& span_id, uint8_t flags) {
  std::array<char, 55> out{};
  auto at = std::copy_n("00-", 3, out.begin());
  at = std::copy(trace_id.begin(), trace_id.end(), at);
  *at++ = '-';
  at = std::copy(span_id.begin(), span_id.end(), at);
  *at++ = '-';
  *at++ = kDigits[flags >> 4];
  *at = kDigits[flags & 15];
  return out;
}

std::array<char, 55> TraceContext::traceparent() const {
  return format_traceparent(trace_id, span_id, flags);
}

bool sampled_by_ratio(std::string_view trace_id, double ratio) {
  if (ratio >= 1) return true;
  if (ratio <= 0 || trace_id.size() < 16) return false;
  // The trace id's last 16 hex digits, random in a trace we started, read as a fraction of 2^64.
  uint64_t value = 0;
  for (char c : trace_id.substr(trace_id.size() - 16)) value = value * 16 + hex_value(c);
  // Compared as integers: a double cannot tell 2^63 - 1 from 2^63.
  const double bound = ratio * 18446744073709551616.0;  // 2^64
  if (bound >= 18446744073709551616.0) return true;
  return value < static_cast<uint64_t>(bound);
}

TraceContext continue_or_start(std::string_view traceparent, std::string_view tracestate,
                               double sample_ratio) {
  TraceContext context;
  random_hex<8>(context.span_id);
  if (auto parent = parse_traceparent(traceparent)) {
    std::copy_n(parent->trace_id.begin(), 32, context.trace_id.begin());
    context.parent_id = std::move(parent->parent_id);
    // Only the sampled bit is defined for version 00; the others are not passed on (§3.2.2.5).
    context.flags = parent->flags & 0x01;
    if (tracestate.size() <= kMaxTracestate) context.tracestate = std::string(tracestate);
    return context;
  }
  random_hex<16>(context.trace_id);
  context.flags = sampled_by_ratio(context.trace(), sample_ratio) ? 0x01 : 0x00;
  return context;
}

}  // namespace netra::telemetry
