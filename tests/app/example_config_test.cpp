// config/netra.example.toml must list every key the code reads, with its default.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/config.hpp"
#include "app/config_schema.hpp"

namespace netra::app {
namespace {

const std::string kExample = std::string(NETRA_SOURCE_DIR) + "/config/netra.example.toml";

std::string read_example() {
  std::ifstream in(kExample);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleConfig, ListsEveryServiceKeyWithItsDefault) {
  ConfigInputs inputs;
  inputs.file = kExample;
  const auto config = Config::load(inputs);  // also proves the example is valid
  const auto defaults = Config::load({});
  const auto text = read_example();
  for (const auto& spec : service_keys()) {
    EXPECT_NE(text.find("# " + spec.rules.help), std::string::npos) << "help of " << spec.key;
    EXPECT_NE(config.source(spec.key), "default") << spec.key << " is missing from " << kExample;
    EXPECT_EQ(config.value(spec.key), defaults.value(spec.key)) << spec.key;
  }
}

TEST(ExampleConfig, DocumentsEveryComponentKeyAndTheDefaultsOfEachCriticality) {
  const auto text = read_example();
  for (const auto& spec : component_keys()) {
    EXPECT_NE(text.find("# " + spec.key + " = "), std::string::npos) << spec.key;
    EXPECT_NE(text.find(spec.rules.help), std::string::npos) << "help of " << spec.key;
  }
  for (auto c : {core::Criticality::critical, core::Criticality::high, core::Criticality::medium,
                 core::Criticality::low}) {
    const auto s = core::ComponentSettings::defaults_for(c);
    const auto row = fmt::format("#   {:<12} {:<17} {:<16} {:<8} {:<16} {}", to_string(c),
                                 s.start_timeout.count(), s.stop_timeout.count(),
                                 s.retry.attempts - 1, s.retry.base.count(), s.retry.cap.count());
    EXPECT_NE(text.find(row), std::string::npos) << "expected row: " << row;
  }
}

}  // namespace
}  // namespace netra::app
