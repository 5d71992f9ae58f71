#include "core/parse_number.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace netra::core {
namespace {

TEST(ParseWholeInteger, ReadsWholeTextOnly) {
  EXPECT_EQ(parse_whole_integer<int64_t>("0"), 0);
  EXPECT_EQ(parse_whole_integer<int64_t>("-0"), 0);
  EXPECT_EQ(parse_whole_integer<int64_t>("-42"), -42);
  EXPECT_EQ(parse_whole_integer<int64_t>("007"), 7);
  EXPECT_EQ(parse_whole_integer<int64_t>("1767225600123"), 1767225600123);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1x", "x1", "1.5", "--1", "1-", "0x10"}) {
    EXPECT_EQ(parse_whole_integer<int64_t>(bad), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_EQ(parse_whole_integer<int>("65536"), 65536);
  EXPECT_EQ(parse_whole_integer<uint16_t>("65536"), std::nullopt);
}

// Both ends of int64_t, one past them, and eighteen and nineteen digits: the range is the type's.
TEST(ParseWholeInteger, TheRangeOfInt64IsKeptAtEveryLength) {
  EXPECT_EQ(parse_whole_integer<int64_t>("999999999999999999"), 999999999999999999);
  EXPECT_EQ(parse_whole_integer<int64_t>("-999999999999999999"), -999999999999999999);
  EXPECT_EQ(parse_whole_integer<int64_t>("9223372036854775807"),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_whole_integer<int64_t>("-9223372036854775808"),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(parse_whole_integer<int64_t>("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_whole_integer<int64_t>("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(parse_whole_integer<int64_t>("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_whole_integer<int64_t>("0000000000000000000000042"), 42);
}

}  // namespace
}  // namespace netra::core
