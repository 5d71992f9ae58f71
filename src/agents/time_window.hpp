// TimeWindow: the period a question is about ("last 7 days", "yesterday", "in March"), read from
// its text by fixed rules relative to a given now — the range every analytics query of a run uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "analytics/analytics_store.hpp"

namespace netra::agents {

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 24 * kHourMs;
// What a question that names no period is about.
inline constexpr int64_t kDefaultWindowDays = 30;

struct TimeWindow {
  analytics::TimeRange range;  // [from, to) in Unix ms, UTC; never reaches past now
  std::string label;           // "last 7 days", "March 2024", "last 30 days (default)"
  bool stated = false;         // false: the text named no usable period and the default applies
  std::string note;            // why a period the text named was not used; usually empty
};

// Rules, all in UTC:
// - "last|past|previous N hours|days|weeks|months|years" (digits, "24h", number words, "couple",
//   "few"): the N units before now (a month is 30 days, a year 365), as are "past week" and
//   "in|over|during the last month";
// - "last|previous week|month|year" alone: the previous calendar week (Monday first), month or
//   year; "last day" and "yesterday": the previous calendar day; "today": since midnight;
// - "this week|month|year", "week|month|year to date", "wtd|mtd|ytd": since its start;
// - a month after in|during|for|of|throughout|over|since, or followed by a year ("in March",
//   "March 2024"): the latest such month that has begun (since: until now), a bare year likewise;
// - ISO dates: one is that day; two are from the first to the end of the second.
// The earliest expression in the text wins. A period wholly in the future falls back to the
// default and says so in `note`.
TimeWindow parse_time_window(std::string_view text, int64_t now_ms);

}  // namespace netra::agents
