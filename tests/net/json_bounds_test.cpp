#include "net/json_bounds.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "net/json_parse.hpp"

namespace netra::net {
namespace {

using Outcome = JsonBoundsOutcome;

// Each case is read both ways: counted alone (check_json_bounds), and counted while it is built
// (parse_json_within), which must stop at the same bound and, within them, build the document.
Outcome bounds_of(const std::string& text, const JsonBounds& bounds) {
  const auto counted = check_json_bounds(text, bounds);
  auto built_outcome = Outcome::within;
  const auto built = parse_json_within(text, bounds, built_outcome);
  EXPECT_EQ(built_outcome, counted) << text.substr(0, 80);
  if (counted == Outcome::within) {
    EXPECT_EQ(built, boost::json::parse(text)) << text.substr(0, 80);
  } else {
    EXPECT_TRUE(built.is_null());
  }
  return counted;
}

TEST(JsonBoundsTest, AValueWithinEveryBoundPasses) {
  EXPECT_EQ(bounds_of(R"([{"a":1,"tags":{"t":"x"}},{"b":[true,null,2.5]}])", {3, 20, 2}),
            Outcome::within);
  EXPECT_EQ(bounds_of("7", {}), Outcome::within);
}

TEST(JsonBoundsTest, TextThatIsNotOneJsonValueIsInvalid) {
  EXPECT_EQ(bounds_of("[1,", {}), Outcome::invalid_json);
  EXPECT_EQ(bounds_of("[1] [2]", {}), Outcome::invalid_json);
  EXPECT_EQ(bounds_of("", {}), Outcome::invalid_json);
  EXPECT_EQ(bounds_of("[\"\xff\"]", {}), Outcome::invalid_json) << "not UTF-8";
}

TEST(JsonBoundsTest, DepthCountsTheContainersAroundAValue) {
  EXPECT_EQ(bounds_of("[[[1]]]", {3, 0, 0}), Outcome::within);  // 1 is at depth 3
  EXPECT_EQ(bounds_of("[[[[1]]]]", {3, 0, 0}), Outcome::too_deep);
  EXPECT_EQ(bounds_of(std::string(100000, '[') + std::string(100000, ']'), {8, 0, 0}),
            Outcome::too_deep);
}

TEST(JsonBoundsTest, EveryValueCountsOnceAStringWithEscapesToo) {
  // The array, then two strings: three values.
  EXPECT_EQ(bounds_of(R"(["a\nb\u00e9c", "d"])", {8, 3, 0}), Outcome::within);
  EXPECT_EQ(bounds_of(R"(["a\nb\u00e9c", "d"])", {8, 2, 0}), Outcome::too_many_values);
  EXPECT_EQ(bounds_of(R"({"k": {"j": 1}})", {8, 3, 0}), Outcome::within) << "keys are not values";
}

TEST(JsonBoundsTest, TopLevelElementsAreCountedButNotTheirInsides) {
  EXPECT_EQ(bounds_of(R"([{"a":[1,2,3]},{"b":{}}])", {8, 0, 2}), Outcome::within);
  EXPECT_EQ(bounds_of("[{},{},{}]", {8, 0, 2}), Outcome::too_many_elements);
}

}  // namespace
}  // namespace netra::net
