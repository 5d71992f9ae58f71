#include "app/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace netra::app {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("netra-config-test-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path_) << text;
    return path_.string();
  }
  ~ConfigTest() override { std::filesystem::remove(path_); }

  static std::string load_error(const ConfigInputs& inputs) {
    try {
      Config::load(inputs);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::filesystem::path path_;
};

TEST_F(ConfigTest, EmbeddedDefaultsServeWithoutAnyInput) {
  auto config = Config::load({});
  const auto& settings = config.settings();
  EXPECT_EQ(settings.server.port, 8000);
  EXPECT_EQ(settings.server.host, "0.0.0.0");
  EXPECT_EQ(settings.process.startup_deadline, std::chrono::milliseconds(60000));
  EXPECT_EQ(settings.process.profile, "full");
  EXPECT_EQ(settings.database.pool.max_size, 10u);
  EXPECT_EQ(settings.auth.settings.access_ttl, std::chrono::seconds(900));
  EXPECT_EQ(config.source("server.port"), "default");
}

TEST_F(ConfigTest, FileThenEnvironmentThenFlagsEachOverride) {
  ConfigInputs inputs;
  inputs.file =
      write("[server]\nport = 9000\nhost = \"127.0.0.1\"\n[startup]\ndeadline_ms = 5000\n");
  inputs.environment = {{"NETRA_SERVER_PORT", "9100"}, {"NETRA_STARTUP_DEADLINE_MS", "7000"}};
  inputs.flags = {{"startup.deadline_ms", "8000", "--set startup.deadline_ms"}};
  auto config = Config::load(inputs);
  EXPECT_EQ(config.settings().server.host, "127.0.0.1");
  EXPECT_EQ(config.source("server.host"), *inputs.file + ":3");
  EXPECT_EQ(config.settings().server.port, 9100);
  EXPECT_EQ(config.source("server.port"), "NETRA_SERVER_PORT");
  EXPECT_EQ(config.settings().process.startup_deadline, std::chrono::milliseconds(8000));
  EXPECT_EQ(config.source("startup.deadline_ms"), "--set startup.deadline_ms");
}

TEST_F(ConfigTest, UnknownKeyInFileNamesFileLineAndSuggestion) {
  ConfigInputs inputs;
  inputs.file = write("[server]\nhost = \"::\"\nprot = 9000\n");
  EXPECT_THAT(load_error(inputs), HasSubstr("unknown key 'server.prot' at " + *inputs.file +
                                            ":3 (did you mean 'server.port'?)"));
}

TEST_F(ConfigTest, WrongTypeAndOutOfRangeNameKeyAndSource) {
  ConfigInputs inputs;
  inputs.file = write("[server]\nport = \"eighty\"\n");
  inputs.environment = {{"NETRA_STARTUP_DEADLINE_MS", "0"}};
  auto error = load_error(inputs);
  EXPECT_THAT(error, HasSubstr("server.port at " + *inputs.file + ":2 must be an integer"));
  EXPECT_THAT(
      error,
      HasSubstr(
          "startup.deadline_ms = 0 (from NETRA_STARTUP_DEADLINE_MS) is out of range 1..3600000"));
}

TEST_F(ConfigTest, EnvironmentValueThatIsNotANumber) {
  ConfigInputs inputs;
  inputs.environment = {{"NETRA_SERVER_PORT", "80x"}};
  EXPECT_THAT(load_error(inputs),
              HasSubstr("server.port (from NETRA_SERVER_PORT) must be an integer, got '80x'"));
}

TEST_F(ConfigTest, UnknownNetraVariableIsAnError) {
  ConfigInputs inputs;
  inputs.environment = {{"NETRA_SERVER_PROT", "1"}, {"UNRELATED", "x"}};
  EXPECT_THAT(load_error(inputs),
              HasSubstr("unknown environment variable NETRA_SERVER_PROT (did you "
                        "mean 'NETRA_SERVER_PORT'?)"));
}

TEST_F(ConfigTest, ChoicesAreChecked) {
  ConfigInputs inputs;
  inputs.flags = {{"profile", "tiny", "--profile"}};
  EXPECT_THAT(load_error(inputs),
              HasSubstr("profile = \"tiny\" (from --profile) must be one of: full, minimal"));
}

TEST_F(ConfigTest, TomlSyntaxErrorNamesTheLine) {
  ConfigInputs inputs;
  inputs.file = write("[server]\nport = = 1\n");
  EXPECT_THAT(load_error(inputs), HasSubstr(*inputs.file + ":2:"));
}

TEST_F(ConfigTest, AuditSwitchesSelectProfileAndDisabledComponents) {
  ConfigInputs inputs;
  inputs.environment = {{"DISABLE_NON_CRITICAL", "true"},
                        {"DISABLED_COMPONENTS", "clickhouse, monitoring"}};
  auto config = Config::load(inputs);
  auto profile = config.profile();
  EXPECT_EQ(profile.kind, core::Profile::Kind::minimal);
  EXPECT_EQ(profile.disabled, (std::set<std::string>{"clickhouse", "monitoring"}));
  EXPECT_EQ(config.source("profile"), "DISABLE_NON_CRITICAL");

  inputs.environment = {{"DISABLE_NON_CRITICAL", "maybe"}};
  EXPECT_THAT(load_error(inputs), HasSubstr("DISABLE_NON_CRITICAL must be true or false"));
}

TEST_F(ConfigTest, ComponentSettingsOverrideTheCriticalityDefaults) {
  ConfigInputs inputs;
  inputs.component_names = {"database", "clickhouse"};
  inputs.file = write("[components.database]\nstart_timeout_ms = 1500\nretries = 4\n");
  inputs.environment = {{"NETRA_COMPONENTS_CLICKHOUSE_BACKOFF_CAP_MS", "777"}};
  auto config = Config::load(inputs);
  auto db = config.component_settings("database", core::Criticality::critical);
  EXPECT_EQ(db.start_timeout, milliseconds(1500));
  EXPECT_EQ(db.retry.attempts, 5);
  EXPECT_EQ(db.stop_timeout,
            core::ComponentSettings::defaults_for(core::Criticality::critical).stop_timeout);
  auto ch = config.component_settings("clickhouse", core::Criticality::medium);
  EXPECT_EQ(ch.retry.cap, milliseconds(777));
}

TEST_F(ConfigTest, UnknownComponentSectionSuggestsTheComponent) {
  ConfigInputs inputs;
  inputs.component_names = {"database"};
  inputs.file = write("[components.databse]\nretries = 1\n");
  EXPECT_THAT(load_error(inputs),
              HasSubstr("unknown key 'components.databse.retries' at " + *inputs.file +
                        ":2 (did you mean 'components.database.retries'?)"));
}

TEST_F(ConfigTest, EveryErrorIsReportedAtOnce) {
  ConfigInputs inputs;
  inputs.environment = {{"NETRA_SERVER_PORT", "-1"}, {"NETRA_LOG_LEVEL", "loud"}};
  try {
    Config::load(inputs);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.errors().size(), 2u);
  }
}

}  // namespace
}  // namespace netra::app
