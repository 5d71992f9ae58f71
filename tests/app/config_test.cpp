#include "app/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "auth/auth_config.hpp"

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
  EXPECT_EQ(settings.database.pool.max_size, 0u);  // sized by the cores (db::default_pool_max)
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

TEST_F(ConfigTest, NumbersTakeFractionsAndIntegersAndAreRangeChecked) {
  EXPECT_EQ(Config::load({}).settings().tracing.sample_ratio, 1.0);
  ConfigInputs file;
  file.file = write("[tracing]\nsample_ratio = 0.25\n");
  EXPECT_EQ(Config::load(file).settings().tracing.sample_ratio, 0.25);
  ConfigInputs integer;
  integer.file = write("[tracing]\nsample_ratio = 0\n");
  EXPECT_EQ(Config::load(integer).settings().tracing.sample_ratio, 0.0);
  ConfigInputs flag;
  flag.flags = {{"tracing.sample_ratio", "0.125", "--set tracing.sample_ratio"}};
  EXPECT_EQ(Config::load(flag).settings().tracing.sample_ratio, 0.125);

  ConfigInputs too_big;
  too_big.environment = {{"NETRA_TRACING_SAMPLE_RATIO", "1.5"}};
  EXPECT_THAT(load_error(too_big), HasSubstr("tracing.sample_ratio = 1.5 (from "
                                             "NETRA_TRACING_SAMPLE_RATIO) is out of range 0..1"));
  ConfigInputs words;
  words.environment = {{"NETRA_TRACING_SAMPLE_RATIO", "half"}};
  EXPECT_THAT(load_error(words), HasSubstr("must be a number, got 'half'"));
  ConfigInputs not_finite;
  not_finite.file = write("[tracing]\nsample_ratio = nan\n");
  EXPECT_THAT(load_error(not_finite), HasSubstr("tracing.sample_ratio at"));
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

// OpenID providers' keys exist once a provider is named, in the file, the environment or a flag.
TEST_F(ConfigTest, OpenIdProvidersAreNamedByTheFileTheEnvironmentOrAFlag) {
  ConfigInputs inputs;
  inputs.file = write(
      "[auth.oidc.google]\nissuer = \"https://accounts.google.com\"\nclient_id = \"g-id\"\n"
      "redirect_uri = \"https://netra.example/auth/oidc/google/callback\"\n");
  inputs.environment = {{"NETRA_AUTH_OIDC_GOOGLE_CLIENT_SECRET", "g-secret"},
                        {"NETRA_AUTH_OIDC_CORP2_ISSUER", "https://sso.corp.example"}};
  inputs.flags = {{"auth.oidc.corp2.client_id", "c-id", "--set"}};
  auto config = Config::load(inputs);
  const auto& providers = config.settings().auth.oidc;
  ASSERT_EQ(providers.size(), 2u);
  EXPECT_EQ(providers[0].name, "corp2");
  EXPECT_EQ(providers[0].issuer, "https://sso.corp.example");
  EXPECT_EQ(providers[0].client_id, "c-id");
  EXPECT_EQ(providers[1].name, "google");
  EXPECT_EQ(providers[1].client_secret, "g-secret");
  EXPECT_EQ(providers[1].scopes, (std::vector<std::string>{"openid", "email", "profile"}));
  EXPECT_EQ(config.settings().api.auth_routes.oidc_providers,
            (std::vector<std::string>{"corp2", "google"}));
  EXPECT_TRUE(auth::oidc_provider_schema("google").problems(config).empty());
  // corp2 has no redirect_uri: its check says so.
  EXPECT_THAT(auth::oidc_provider_schema("corp2").problems(config),
              ::testing::Contains(HasSubstr("auth.oidc.corp2.redirect_uri is required")));
}

TEST_F(ConfigTest, AnOpenIdProvidersKeysAndNameAreChecked) {
  ConfigInputs inputs;
  inputs.file = write(
      "[auth.oidc.idp]\nissuer = \"http://idp.example\"\nclient_secret = \"in-a-file\"\n"
      "scopes = [\"email\"]\nredirect_uri = \"http://127.0.0.1:8000/auth/oidc/idp/callback\"\n"
      "clientid = \"x\"\n");
  EXPECT_THAT(load_error(inputs),
              HasSubstr("unknown key 'auth.oidc.idp.clientid' at " + *inputs.file +
                        ":6 (did you mean 'auth.oidc.idp.client_id'?)"));
  inputs.file = write(
      "[auth.oidc.idp]\nissuer = \"http://idp.example\"\nclient_secret = \"in-a-file\"\n"
      "scopes = [\"email\"]\nredirect_uri = \"http://127.0.0.1:8000/auth/oidc/idp/callback\"\n");
  auto config = Config::load(inputs);
  std::string problems;
  for (const auto& p : auth::oidc_provider_schema("idp").problems(config)) problems += p + "\n";
  EXPECT_THAT(problems, HasSubstr("auth.oidc.idp.issuer = \"http://idp.example\""));
  EXPECT_THAT(problems, HasSubstr("not loopback"));
  EXPECT_THAT(problems, HasSubstr("auth.oidc.idp.client_id is required"));
  EXPECT_THAT(problems, HasSubstr("must include \"openid\""));
  EXPECT_THAT(problems, HasSubstr("NETRA_AUTH_OIDC_IDP_CLIENT_SECRET"));
  EXPECT_THAT(problems, ::testing::Not(HasSubstr("in-a-file"))) << "a secret is never printed";
  EXPECT_THAT(problems, ::testing::Not(HasSubstr("redirect_uri"))) << "loopback http is fine";

  ConfigInputs badly_named;
  badly_named.environment = {{"NETRA_AUTH_OIDC_MY_IDP_ISSUER", "https://idp.example"}};
  EXPECT_THAT(load_error(badly_named), HasSubstr("auth.oidc.my_idp: a provider's name is"));
}

}  // namespace
}  // namespace netra::app
