#include "net/json_bounds.hpp"

#include <gtest/gtest.h>

namespace netra::net {
namespace {

using Outcome = JsonBoundsOutcome;

TEST(JsonBoundsTest, AValueWithinEveryBoundPasses) {
  EXPECT_EQ(check_json_bounds(R"([{"a":1,"tags":{"t":"x"}},{"b":[true,null,2.5]}])", {3, 20, 2}),
            Outcome::within);
  EXPECT_EQ(check_json_bounds("7", {}), Outcome::within);
}

TEST(JsonBoundsTest, TextThatIsNotOneJsonValueIsInvalid) {
  EXPECT_EQ(check_json_bounds("[1,", {}), Outcome::invalid_json);
  EXPECT_EQ(check_json_bounds("[1] [2]", {}), Outcome::invalid_json);
  EXPECT_EQ(check_json_bounds("", {}), Outcome::invalid_json);
  EXPECT_EQ(check_json_bounds("[\"\xff\"]", {}), Outcome::invalid_json) << "not UTF-8";
}

TEST(JsonBoundsTest, DepthCountsTheContainersAroundAValue) {
  EXPECT_EQ(check_json_bounds("[[[1]]]", {3, 0, 0}), Outcome::within);  // 1 is at depth 3
  EXPECT_EQ(check_json_bounds("[[[[1]]]]", {3, 0, 0}), Outcome::too_deep);
  EXPECT_EQ(check_json_bounds(std::string(100000, '[') + std::string(100000, ']'), {8, 0, 0}),
            Outcome::too_deep);
}

TEST(JsonBoundsTest, EveryValueCountsOnceAStringWithEscapesToo) {
  // The array, then two strings: three values.
  EXPECT_EQ(check_json_bounds(R"(["a\nb\u00e9c", "d"])", {8, 3, 0}), Outcome::within);
  EXPECT_EQ(check_json_bounds(R"(["a\nb\u00e9c", "d"])", {8, 2, 0}), Outcome::too_many_values);
  EXPECT_EQ(check_json_bounds(R"({"k": {"j": 1}})", {8, 3, 0}), Outcome::within)
      << "keys are not values";
}

TEST(JsonBoundsTest, TopLevelElementsAreCountedButNotTheirInsides) {
  EXPECT_EQ(check_json_bounds(R"([{"a":[1,2,3]},{"b":{}}])", {8, 0, 2}), Outcome::within);
  EXPECT_EQ(check_json_bounds("[{},{},{}]", {8, 0, 2}), Outcome::too_many_elements);
}

}  // namespace
}  // namespace netra::net
