// A settings slice: each key fills its typed field (its type follows from the field), a value a
// key refuses and a rule across keys are problems naming the key and its source.
#include "core/settings_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace netra::core {
namespace {

using ::testing::ElementsAre;

struct Limits {
  size_t size = 0;
};

struct Example {
  bool on = false;
  std::string name;
  std::vector<std::string> names;
  double rate = 0;
  std::chrono::milliseconds wait{0};
  std::chrono::seconds ttl{0};
  Limits limits;
  enum class Mode { fast, safe } mode = Mode::fast;
  int untouched = 7;  // no key: keeps its default
};

// Values as a loaded configuration would hold them.
class Values final : public ConfigValues {
 public:
  std::map<std::string, ConfigValue> values;
  const ConfigValue& value(const std::string& key) const override { return values.at(key); }
  std::string source(const std::string& key) const override { return "netra.toml:" + key; }
};

SettingsSchema<Example> schema() {
  SettingsSchema<Example> s;
  s.key("x.on", &Example::on, {.fallback = "false", .help = "on"})
      .key("x.name", &Example::name, {.fallback = "\"a\"", .help = "name"})
      .key("x.names", &Example::names, {.fallback = "[]", .help = "names"})
      .key("x.rate", &Example::rate, {.fallback = "1", .min = 0, .max = 10, .help = "rate"})
      .key("x.wait_ms", &Example::wait, {.fallback = "1", .min = 0, .max = 10, .help = "wait"})
      .key("x.ttl_seconds", &Example::ttl, {.fallback = "1", .min = 0, .max = 10, .help = "ttl"})
      .key("x.size", [](Example & e) -> auto& { return e.limits.size; },
           {.fallback = "1", .min = 0, .max = 10, .help = "size"})
      .key_with("x.mode", ValueType::string,
                [](Example& e, const ConfigValue& v) {
                  const auto& text = std::get<std::string>(v);
                  if (text != "fast" && text != "safe") throw std::invalid_argument("no such mode");
                  e.mode = text == "safe" ? Example::Mode::safe : Example::Mode::fast;
                },
                {.fallback = "\"fast\"", .help = "mode"});
  s.check([](const Example& e, const ConfigValues& values, std::vector<std::string>& problems) {
    if (e.on && e.name.empty()) {
      problems.push_back("x.on (from " + values.source("x.on") + ") needs x.name");
    }
  });
  return s;
}

Values valid() {
  Values v;
  v.values = {{"x.on", true},
              {"x.name", std::string("n")},
              {"x.names", std::vector<std::string>{"a", "b"}},
              {"x.rate", int64_t{3}},
              {"x.wait_ms", int64_t{250}},
              {"x.ttl_seconds", int64_t{9}},
              {"x.size", int64_t{4}},
              {"x.mode", std::string("safe")}};
  return v;
}

TEST(SettingsSchema, EachKeyFillsItsFieldInTheFieldsOwnType) {
  const auto e = schema().read(valid());
  EXPECT_TRUE(e.on);
  EXPECT_EQ(e.name, "n");
  EXPECT_EQ(e.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(e.rate, 3.0);
  EXPECT_EQ(e.wait, std::chrono::milliseconds(250));
  EXPECT_EQ(e.ttl, std::chrono::seconds(9));
  EXPECT_EQ(e.limits.size, 4u);
  EXPECT_EQ(e.mode, Example::Mode::safe);
  EXPECT_EQ(e.untouched, 7);
}

TEST(SettingsSchema, AKeysTypeFollowsFromItsField) {
  std::map<std::string, ValueType> types;
  for (const auto& key : schema().keys()) types[key.key] = key.type;
  EXPECT_EQ(types["x.on"], ValueType::boolean);
  EXPECT_EQ(types["x.name"], ValueType::string);
  EXPECT_EQ(types["x.names"], ValueType::string_list);
  EXPECT_EQ(types["x.rate"], ValueType::number);  // a double field takes fractions
  EXPECT_EQ(types["x.wait_ms"], ValueType::integer);
  EXPECT_EQ(types["x.size"], ValueType::integer);
  EXPECT_EQ(types["x.mode"], ValueType::string);
}

TEST(SettingsSchema, RefusedValuesAndBrokenRulesAreProblemsNamingKeyAndSource) {
  auto values = valid();
  EXPECT_TRUE(schema().problems(values).empty());
  values.values["x.mode"] = std::string("slow");
  values.values["x.name"] = std::string();
  EXPECT_THAT(schema().problems(values),
              ElementsAre("x.mode (from netra.toml:x.mode): no such mode",
                          "x.on (from netra.toml:x.on) needs x.name"));
}

}  // namespace
}  // namespace netra::core
