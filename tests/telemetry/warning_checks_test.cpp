// The warning checks: each threshold raises its warning only past its limit (and never when set
// to 0), the 5xx rate needs enough answers for a verdict, and WarningBook keeps a warning's start
// while it holds and reports what was raised and cleared.
#include "telemetry/warning_checks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace netra::telemetry {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> kinds(const std::vector<Warning>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings) out.push_back(w.kind);
  return out;
}

Readings calm() {
  Readings r;
  r.laggiest_loop = "loop-0";
  r.loop_lag_seconds = 0.001;
  r.pool_wait_seconds = 0.0001;
  r.answers = 1000;
  r.errors = 1;
  r.disk_path = "/var/lib/netra";
  r.disk_free_bytes = uint64_t{50} * 1024 * 1024 * 1024;
  return r;
}

TEST(WarningChecksTest, CalmReadingsRaiseNothing) {
  EXPECT_TRUE(check_warnings(calm(), MonitoringSettings{}).empty());
}

TEST(WarningChecksTest, EachLimitRaisesItsWarningOnlyPastIt) {
  MonitoringSettings limits;  // 100 ms lag, 500 ms pool wait, 5 % errors over 20, 1024 MiB
  auto r = calm();
  r.loop_lag_seconds = 0.100;
  r.pool_wait_seconds = 0.500;
  r.errors = 50;  // exactly 5 %
  r.disk_free_bytes = uint64_t{1024} * 1024 * 1024;
  EXPECT_TRUE(check_warnings(r, limits).empty()) << "at the limit is not past it";
  r.loop_lag_seconds = 0.150;
  r.pool_wait_seconds = 0.700;
  r.errors = 51;
  r.disk_free_bytes = uint64_t{100} * 1024 * 1024;
  r.open_breakers = {"clickhouse"};
  const auto warnings = check_warnings(r, limits);
  EXPECT_EQ(kinds(warnings), (std::vector<std::string>{"loop_lag", "pool_wait", "error_rate",
                                                       "disk_free", "breaker_open:clickhouse"}));
  EXPECT_NE(warnings[0].message.find("loop-0 lagged 150 ms (limit 100 ms)"), std::string::npos)
      << warnings[0].message;
  EXPECT_NE(warnings[2].message.find("51 of the last 1000 answers were 5xx"), std::string::npos)
      << warnings[2].message;
  EXPECT_NE(warnings[3].message.find("100 MiB free"), std::string::npos) << warnings[3].message;
}

TEST(WarningChecksTest, ZeroTurnsACheckOffAndFewAnswersGiveNoVerdict) {
  MonitoringSettings off;
  off.loop_lag_warn = 0ms;
  off.pool_wait_warn = 0ms;
  off.error_rate_warn = 0;
  off.disk_free_warn_mb = 0;
  auto r = calm();
  r.loop_lag_seconds = 10;
  r.pool_wait_seconds = 10;
  r.errors = r.answers;
  r.disk_free_bytes = 0;
  EXPECT_TRUE(check_warnings(r, off).empty());
  auto few = calm();
  few.answers = 19;  // below error_rate_min_requests (20)
  few.errors = 19;
  EXPECT_TRUE(check_warnings(few, MonitoringSettings{}).empty());
  few.disk_free_bytes.reset();  // statvfs failed: no verdict on the disk either
  EXPECT_TRUE(check_warnings(few, MonitoringSettings{}).empty());
}

TEST(WarningBookTest, KeepsWhenAWarningStartedAndReportsRaisedAndCleared) {
  WarningBook book;
  auto changes = book.update({{"loop_lag", "first", 0}, {"disk_free", "low", 0}}, 100);
  EXPECT_EQ(kinds(changes.raised), (std::vector<std::string>{"loop_lag", "disk_free"}));
  EXPECT_TRUE(changes.cleared.empty());
  changes = book.update({{"disk_free", "lower", 0}, {"error_rate", "5xx", 0}}, 105);
  EXPECT_EQ(kinds(changes.raised), (std::vector<std::string>{"error_rate"}));
  EXPECT_EQ(kinds(changes.cleared), (std::vector<std::string>{"loop_lag"}));
  ASSERT_EQ(book.current().size(), 2u);
  EXPECT_EQ(book.current()[0].kind, "disk_free");
  EXPECT_EQ(book.current()[0].since_unix, 100) << "held since it was first raised";
  EXPECT_EQ(book.current()[0].message, "lower") << "with the latest reading";
  EXPECT_EQ(book.current()[1].since_unix, 105);
  changes = book.update({}, 110);
  EXPECT_EQ(kinds(changes.cleared), (std::vector<std::string>{"disk_free", "error_rate"}));
  EXPECT_TRUE(book.current().empty());
}

}  // namespace
}  // namespace netra::telemetry
