// The agents.* keys: the supervisor's limits, and the language model — off by default, its key
// from NETRA_AGENTS_LLM_API_KEY, an [agents.llm] table in the file, and a URL the client cannot
// use refused at start-up without repeating it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/config.hpp"
#include "support/temp_dir.hpp"

namespace netra::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string llm_error(const ConfigInputs& inputs) {
  std::string text;
  for (const auto& problem : agents::llm_settings_schema().problems(Config::load(inputs))) {
    text += problem + "\n";
  }
  return text;
}

TEST(AgentsConfig, DefaultsLeaveTheModelOffAndTheSupervisorAtItsLimits) {
  const auto config = Config::load({});
  const auto& llm = config.settings().llm;
  EXPECT_FALSE(llm.enabled());
  EXPECT_EQ(llm.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(llm.max_tokens, 400);
  const auto& options = config.settings().supervisor;
  EXPECT_EQ(options.max_concurrent_runs, 8u);
  EXPECT_EQ(options.max_queued_runs, 32u);
  EXPECT_EQ(options.run_timeout, std::chrono::milliseconds(120000));
}

TEST(AgentsConfig, TheModelFromATableAndTheKeyFromTheEnvironment) {
  testing::TempDir dir;
  const auto file = dir.file("netra.toml");
  std::ofstream(file) << "[agents]\nmax_concurrent_runs = 2\n\n[agents.llm]\n"
                         "url = \"http://127.0.0.1:11434/v1\"\nmodel = \"llama3.1\"\n"
                         "timeout_ms = 2500\n";
  ConfigInputs inputs;
  inputs.file = file;
  inputs.environment = {{"NETRA_AGENTS_LLM_API_KEY", "sk-from-env"},
                        {"NETRA_AGENTS_RUN_TIMEOUT_MS", "60000"}};
  const auto config = Config::load(inputs);
  const auto& llm = config.settings().llm;
  EXPECT_TRUE(llm.enabled());
  EXPECT_EQ(llm.url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(llm.model, "llama3.1");
  EXPECT_EQ(llm.api_key, "sk-from-env");
  EXPECT_EQ(config.source("agents.llm.api_key"), "NETRA_AGENTS_LLM_API_KEY");
  EXPECT_EQ(llm.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(config.settings().supervisor.max_concurrent_runs, 2u);
  EXPECT_EQ(config.settings().supervisor.run_timeout, std::chrono::milliseconds(60000));
}

TEST(AgentsConfig, AnUnusableUrlOrAMissingModelIsAConfigurationError) {
  ConfigInputs inputs;
  inputs.environment = {{"NETRA_AGENTS_LLM_URL", "ftp://api.example.com/v1?key=sk-in-url"},
                        {"NETRA_AGENTS_LLM_API_KEY", "sk-secret"}};
  const auto error = llm_error(inputs);
  EXPECT_THAT(error, HasSubstr("agents.llm.url (from NETRA_AGENTS_LLM_URL) cannot be used: "
                               "unsupported scheme 'ftp'"));
  EXPECT_THAT(error, HasSubstr("agents.llm.model is empty"));
  EXPECT_THAT(error, Not(HasSubstr("sk-in-url")));
  EXPECT_THAT(error, Not(HasSubstr("sk-secret")));
}

}  // namespace
}  // namespace netra::app
