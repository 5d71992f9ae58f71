#include "api/workload_json.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

#include "net/json_error.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {
namespace {

using json = nlohmann::json;

constexpr int64_t kLatestMs = 4'102'444'800'000;  // 2100-01-01

// Reads `digits` decimal digits at `pos`; nullopt otherwise.
std::optional<int> digits_at(std::string_view text, size_t& pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  const auto* first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, first + digits, value);
  if (ec != std::errc() || end != first + digits) return std::nullopt;
  pos += digits;
  return value;
}

bool take(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<int64_t> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  const auto y = digits_at(text, pos, 4);
  if (!y || !take(text, pos, '-')) return std::nullopt;
  const auto m = digits_at(text, pos, 2);
  if (!m || !take(text, pos, '-')) return std::nullopt;
  const auto d = digits_at(text, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day day{year(*y), month(static_cast<unsigned>(*m)),
                           std::chrono::day(static_cast<unsigned>(*d))};
  if (!day.ok()) return std::nullopt;
  int64_t ms = duration_cast<milliseconds>(sys_days(day).time_since_epoch()).count();
  if (pos == text.size()) return ms;
  if (!take(text, pos, 'T') && !take(text, pos, ' ')) return std::nullopt;
  const auto hh = digits_at(text, pos, 2);
  if (!hh || *hh > 23 || !take(text, pos, ':')) return std::nullopt;
  const auto mm = digits_at(text, pos, 2);
  if (!mm || *mm > 59) return std::nullopt;
  int ss = 0;
  int frac_ms = 0;
  if (take(text, pos, ':')) {
    const auto s = digits_at(text, pos, 2);
    if (!s || *s > 59) return std::nullopt;
    ss = *s;
    if (take(text, pos, '.')) {
      // Milliseconds from the first three digits; finer ones are read and dropped.
      size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) frac_ms = frac_ms * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (; digits < 3; ++digits) frac_ms *= 10;
    }
  }
  ms += ((int64_t{*hh} * 60 + *mm) * 60 + ss) * 1000 + frac_ms;
  if (pos == text.size()) return ms;
  if (take(text, pos, 'Z')) return pos == text.size() ? std::optional<int64_t>(ms) : std::nullopt;
  // An unescaped '+' in a query string arrives as a space.
  const bool plus = take(text, pos, '+') || take(text, pos, ' ');
  if (!plus && !take(text, pos, '-')) return std::nullopt;
  const auto oh = digits_at(text, pos, 2);
  if (!oh || *oh > 23) return std::nullopt;
  take(text, pos, ':');
  const auto om = digits_at(text, pos, 2);
  if (!om || *om > 59 || pos != text.size()) return std::nullopt;
  const int64_t offset_ms = (int64_t{*oh} * 60 + *om) * 60'000;
  return plus ? ms - offset_ms : ms + offset_ms;  // 14:30+02:00 is 12:30Z
}

}  // namespace

std::optional<int64_t> parse_time(std::string_view text) {
  std::optional<int64_t> ms;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size() && seconds <= kLatestMs / 1000) {
      ms = seconds * 1000;
    }
  } else {
    ms = parse_iso8601(text);
  }
  if (!ms || *ms < 0 || *ms > kLatestMs) return std::nullopt;
  return ms;
}

json group_summary_json(const analytics::GroupSummary& g) {
  return {{"key", g.key},
          {"requests", g.requests},
          {"input_tokens", g.input_tokens},
          {"output_tokens", g.output_tokens},
          {"total_tokens", g.input_tokens + g.output_tokens},
          {"cost_usd", g.cost_usd},
          {"latency_ms",
           {{"p50", g.latency_p50_ms}, {"p95", g.latency_p95_ms}, {"p99", g.latency_p99_ms}}},
          {"errors", g.errors},
          {"error_rate", g.error_rate},
          {"cached", g.cached},
          {"cache_rate", g.cache_rate}};
}

}  // namespace netra::api
