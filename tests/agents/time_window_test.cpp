// Time windows from the words people use, against a pinned now (Saturday 2024-06-15 12:00 UTC);
// expected bounds come from timegm, not from the code under test.
#include "agents/time_window.hpp"

#include <gmock/gmock.h>

#include <ctime>

namespace netra::agents {
namespace {

// Unix ms of a UTC date and time, by the C library.
int64_t utc(int year, int month, int day, int hour = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

const int64_t kNow = utc(2024, 6, 15, 12);
constexpr int64_t kH = 3'600'000;
constexpr int64_t kD = 24 * kH;

struct WindowCase {
  std::string text;
  int64_t from_ms;
  int64_t to_ms;
  std::string label;
};

class ParseTimeWindow : public ::testing::TestWithParam<WindowCase> {};

TEST_P(ParseTimeWindow, ReadsThePeriod) {
  const auto& c = GetParam();
  const auto w = parse_time_window(c.text, kNow);
  EXPECT_EQ(w.range.from_ms, c.from_ms) << c.text;
  EXPECT_EQ(w.range.to_ms, c.to_ms) << c.text;
  EXPECT_EQ(w.label, c.label) << c.text;
  EXPECT_TRUE(w.stated) << c.text;
  EXPECT_EQ(w.note, "") << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Phrasings, ParseTimeWindow,
    ::testing::Values(
        // Rolling: N units before now.
        WindowCase{"How can I cut my LLM costs over the last 7 days?", kNow - 7 * kD, kNow,
                   "last 7 days"},
        WindowCase{"spend in the past 2 weeks", kNow - 14 * kD, kNow, "last 2 weeks"},
        WindowCase{"errors in the last 24h", kNow - 24 * kH, kNow, "last 24 hours"},
        WindowCase{"latency over the last 12 hours", kNow - 12 * kH, kNow, "last 12 hours"},
        WindowCase{"last three days", kNow - 3 * kD, kNow, "last 3 days"},
        WindowCase{"the last couple of weeks", kNow - 14 * kD, kNow, "last 2 weeks"},
        WindowCase{"previous 90 days", kNow - 90 * kD, kNow, "last 90 days"},
        WindowCase{"Past week", kNow - 7 * kD, kNow, "last 7 days"},
        WindowCase{"what did we spend in the last month", kNow - 30 * kD, kNow, "last 30 days"},
        WindowCase{"trailing 6 months", kNow - 180 * kD, kNow, "last 6 months"},
        WindowCase{"the last 7-day period", kNow - 7 * kD, kNow, "last 7 days"},
        // Calendar periods.
        WindowCase{"yesterday", utc(2024, 6, 14), utc(2024, 6, 15), "yesterday (2024-06-14)"},
        WindowCase{"What happened YESTERDAY?", utc(2024, 6, 14), utc(2024, 6, 15),
                   "yesterday (2024-06-14)"},
        WindowCase{"today so far", utc(2024, 6, 15), kNow, "today (2024-06-15)"},
        WindowCase{"last week", utc(2024, 6, 3), utc(2024, 6, 10),
                   "last week (2024-06-03 to 2024-06-09)"},
        WindowCase{"last month", utc(2024, 5, 1), utc(2024, 6, 1), "last month (May 2024)"},
        WindowCase{"previous month's bill", utc(2024, 5, 1), utc(2024, 6, 1),
                   "last month (May 2024)"},
        WindowCase{"last year", utc(2023, 1, 1), utc(2024, 1, 1), "last year (2023)"},
        WindowCase{"this month", utc(2024, 6, 1), kNow, "this month (June 2024, to date)"},
        WindowCase{"month to date", utc(2024, 6, 1), kNow, "this month (June 2024, to date)"},
        WindowCase{"MTD spend", utc(2024, 6, 1), kNow, "this month (June 2024, to date)"},
        WindowCase{"this week", utc(2024, 6, 10), kNow, "this week (since 2024-06-10)"},
        WindowCase{"YTD", utc(2024, 1, 1), kNow, "this year (2024, to date)"},
        // Months and years.
        WindowCase{"costs in March", utc(2024, 3, 1), utc(2024, 4, 1), "March 2024"},
        WindowCase{"during september", utc(2023, 9, 1), utc(2023, 10, 1), "September 2023"},
        WindowCase{"for Feb", utc(2024, 2, 1), utc(2024, 3, 1), "February 2024"},
        WindowCase{"March 2023 usage", utc(2023, 3, 1), utc(2023, 4, 1), "March 2023"},
        WindowCase{"in may", utc(2024, 5, 1), utc(2024, 6, 1), "May 2024"},
        WindowCase{"in June", utc(2024, 6, 1), kNow, "June 2024"},
        WindowCase{"since April", utc(2024, 4, 1), kNow, "since April 2024"},
        WindowCase{"in 2023", utc(2023, 1, 1), utc(2024, 1, 1), "2023"},
        // Dates.
        WindowCase{"from 2024-03-01 to 2024-03-15", utc(2024, 3, 1), utc(2024, 3, 16),
                   "2024-03-01 to 2024-03-15"},
        WindowCase{"2024-05-20", utc(2024, 5, 20), utc(2024, 5, 21), "2024-05-20"},
        // The earliest expression wins.
        WindowCase{"yesterday versus last week", utc(2024, 6, 14), utc(2024, 6, 15),
                   "yesterday (2024-06-14)"}));

TEST(ParseTimeWindowDefault, NoPeriodMeansTheLast30Days) {
  for (const char* text : {"how can I cut my LLM costs?", "May I see the report?", "last requests",
                           "this workload", ""}) {
    const auto w = parse_time_window(text, kNow);
    EXPECT_FALSE(w.stated) << text;
    EXPECT_EQ(w.range.from_ms, kNow - 30 * kD) << text;
    EXPECT_EQ(w.range.to_ms, kNow) << text;
    EXPECT_EQ(w.label, "last 30 days (default)") << text;
    EXPECT_EQ(w.note, "") << text;
  }
}

TEST(ParseTimeWindowDefault, AFuturePeriodFallsBackAndSaysSo) {
  const auto w = parse_time_window("costs in December 2030", kNow);
  EXPECT_FALSE(w.stated);
  EXPECT_EQ(w.range.from_ms, kNow - 30 * kD);
  EXPECT_EQ(w.range.to_ms, kNow);
  EXPECT_THAT(w.note, ::testing::HasSubstr("December 2030 has not begun"));
}

}  // namespace
}  // namespace netra::agents
