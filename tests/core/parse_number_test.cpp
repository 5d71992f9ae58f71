#include "core/parse_number.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

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

// Eighteen digits take the unchecked sum, nineteen the checked one: both ends of int64_t, and one
// past them, read as from_chars reads them.
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

// Random text over digits, signs and other characters, up to 21 characters: the same answer as
// std::from_chars with the whole text required.
TEST(ParseWholeInteger, AgreesWithFromCharsOnRandomText) {
  std::mt19937_64 random(20261207);
  const std::string alphabet = "0123456789-+ x.";
  for (int n = 0; n < 200000; ++n) {
    std::string text(random() % 22, '0');
    for (auto& c : text) {
      const auto pick = random() % 40;
      c = pick < 30 ? static_cast<char>('0' + pick % 10) : alphabet[10 + pick % 5];
    }
    if (random() % 2 == 0 && !text.empty()) text[0] = '-';
    int64_t expected = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
    const bool whole = ec == std::errc() && end == text.data() + text.size();
    const auto got = parse_whole_integer<int64_t>(text);
    ASSERT_EQ(got.has_value(), whole) << "'" << text << "'";
    if (whole) {
      ASSERT_EQ(*got, expected) << "'" << text << "'";
    }
  }
}

}  // namespace
}  // namespace netra::core
