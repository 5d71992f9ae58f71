#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "net/json_parse.hpp"

namespace netra::net {
namespace {

using Outcome = JsonBoundsOutcome;

// Each case is read by parse_json_within, on the heap and in an arena: within its bounds it builds
// the document boost::json::parse builds; past them it builds nothing it returns.
Outcome bounds_of(const std::string& text, const JsonBounds& bounds) {
  auto outcome = Outcome::within;
  const auto built = parse_json_within(text, bounds, outcome);
  boost::json::monotonic_resource arena;
  auto arena_outcome = Outcome::within;
  const auto in_arena = parse_json_within(text, bounds, arena_outcome, &arena);
  EXPECT_EQ(arena_outcome, outcome) << text.substr(0, 80);
  if (outcome == Outcome::within) {
    EXPECT_EQ(built, boost::json::parse(text)) << text.substr(0, 80);
    EXPECT_EQ(in_arena, built) << text.substr(0, 80);
  } else {
    EXPECT_TRUE(built.is_null());
    EXPECT_TRUE(in_arena.is_null());
  }
  return outcome;
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
