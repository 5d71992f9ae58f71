#include "net/json_values.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace netra::net {
namespace {

TEST(JsonValuesTest, EveryKindCrossesOverAndIsWrittenAsNlohmannWroteIt) {
  const auto source = nlohmann::json::parse(R"({
    "b": [1, -2, 18446744073709551615, true, false, null, "x\u0001\"\\é"],
    "a": {"z": {}, "y": []},
    "c": "text"
  })");
  const auto converted = to_boost_json(source);
  // Keys in nlohmann's (sorted) order, unsigned beyond int64 kept, escapes as nlohmann's.
  EXPECT_EQ(boost::json::serialize(converted), source.dump());
  EXPECT_TRUE(converted.at("b").as_array().at(2).is_uint64());
}

TEST(JsonValuesTest, ADoubleReadsBackEqual) {
  const auto source = nlohmann::json{{"saving", 19.6}, {"tiny", 1e-7}};
  const auto written = boost::json::serialize(to_boost_json(source));
  EXPECT_EQ(nlohmann::json::parse(written), source);
}

}  // namespace
}  // namespace netra::net
