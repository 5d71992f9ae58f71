// The ClickHouse literal formatter: the exact text it splices for hostile values. The same values
// go through a real server in analytics_store_test.cpp (they must come back unchanged).
#include "analytics/clickhouse_literal.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace netra::analytics {
namespace {

std::string quote(std::string_view value) {
  return ClickHouseLiteral::string(value).sql();
}

TEST(ClickHouseLiteral, PlainTextIsQuoted) {
  EXPECT_EQ(quote(""), "''");
  EXPECT_EQ(quote("gpt-4o"), "'gpt-4o'");
}

TEST(ClickHouseLiteral, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(quote("it's"), "'it\\'s'");
  EXPECT_EQ(quote("a\\b"), "'a\\\\b'");
  EXPECT_EQ(quote("\\'"), "'\\\\\\''");  // a backslash then a quote: neither may pair up
  EXPECT_EQ(quote("' OR 1=1 --"), "'\\' OR 1=1 --'");
  EXPECT_EQ(quote("`x`"), "'`x`'");
}

TEST(ClickHouseLiteral, ControlCharactersAreEscaped) {
  EXPECT_EQ(quote(std::string("a\0b", 3)), "'a\\0b'");
  EXPECT_EQ(quote(std::string("\0"
                              "1",
                              2)),
            "'\\01'");  // NUL before a digit stays one NUL
  EXPECT_EQ(quote("l1\nl2\r\t\b\f"), "'l1\\nl2\\r\\t\\b\\f'");
  EXPECT_EQ(quote("\x01\x1f\x7f"), "'\\x01\\x1F\\x7F'");
}

TEST(ClickHouseLiteral, MultiByteTextPassesThrough) {
  EXPECT_EQ(quote("日本語 — ünïcødé 🎉"), "'日本語 — ünïcødé 🎉'");
  EXPECT_EQ(quote("\xc3\xa9'"), "'\xc3\xa9\\''");
}

TEST(ClickHouseLiteral, NumbersAreNumbers) {
  EXPECT_EQ(ClickHouseLiteral::integer(0).sql(), "0");
  EXPECT_EQ(ClickHouseLiteral::integer(-42).sql(), "-42");
  EXPECT_EQ(ClickHouseLiteral::integer(1'700'000'000'000).sql(), "1700000000000");
  EXPECT_EQ(ClickHouseLiteral::real(0.1).value().sql(), "0.1");
  EXPECT_EQ(ClickHouseLiteral::real(1e-7).value().sql(), "1e-07");
  EXPECT_EQ(ClickHouseLiteral::real(-2.5).value().sql(), "-2.5");
  EXPECT_EQ(ClickHouseLiteral::real(-0.0).value().sql(), "-0.0");  // "-0" reads as +0
}

TEST(ClickHouseLiteral, NanAndInfinityAreRefused) {
  EXPECT_FALSE(ClickHouseLiteral::real(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(ClickHouseLiteral::real(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(ClickHouseLiteral::real(-std::numeric_limits<double>::infinity()));
}

TEST(ClickHouseLiteral, SubnormalsAreRefusedAndTheSmallestNormalIsNot) {
  EXPECT_FALSE(ClickHouseLiteral::real(5e-324));  // ClickHouse 18.16: a syntax error
  EXPECT_FALSE(ClickHouseLiteral::real(-2.225073858507201e-308));
  EXPECT_EQ(ClickHouseLiteral::real(2.2250738585072014e-308).value().sql(),
            "2.2250738585072014e-308");
}

TEST(ClickHouseLiteral, IdentifiersAreChecked) {
  EXPECT_EQ(ClickHouseLiteral::identifier("netra_analytics").value().sql(), "netra_analytics");
  EXPECT_EQ(ClickHouseLiteral::identifier("_t1").value().sql(), "_t1");
  for (std::string_view bad : {"", "1abc", "a-b", "a b", "a.b", "a`b", "x;DROP", "é"}) {
    EXPECT_FALSE(ClickHouseLiteral::identifier(bad)) << bad;
  }
  EXPECT_FALSE(ClickHouseLiteral::identifier(std::string(65, 'a')));
  EXPECT_TRUE(ClickHouseLiteral::identifier(std::string(64, 'a')));
}

TEST(ClickHouseLiteral, RenderSplicesInOrderAndNeverRescans) {
  const auto user = ClickHouseLiteral::string("what?");
  const auto from = ClickHouseLiteral::integer(5);
  EXPECT_EQ(render("SELECT 1 WHERE u = ? AND t >= ?", {user, from}),
            "SELECT 1 WHERE u = 'what?' AND t >= 5");
  EXPECT_THROW(render("? ?", {user}), std::logic_error);
  EXPECT_THROW(render("?", {user, from}), std::logic_error);
}

}  // namespace
}  // namespace netra::analytics
