// The fault matrix: the language model blackholed — its server accepts the connection, reads the
// request and never answers. The agent run must still complete, with the summary it computed,
// once agents.llm.timeout_ms has passed, not hang on the model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/child_process.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/netra_server.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kModelTimeoutMs = 1500;

TEST(LanguageModelBlackholed, TheRunCompletesWithItsComputedSummaryAfterTheModelTimeout) {
  MisbehavingPeer model([](PeerConnection& connection, size_t) {
    if (connection.read_request()) connection.stall(60s);
  });
  TempDir data;
  const std::string database = "sqlite:" + data.file("netra.db");
  NetraServer server({"agents.llm.url=http://127.0.0.1:" + std::to_string(model.port()) + "/v1",
                      "agents.llm.model=blackholed-model",
                      "agents.llm.timeout_ms=" + std::to_string(kModelTimeoutMs)},
                     {{"NETRA_DATABASE_URL", database}});
  const std::string email = "blackholed@example.com";
  const std::string token = server.sign_in(email);
  const auto demo =
      run_process({NETRA_BIN, "demo-data", "--email", email, "--days", "14", "--events", "3000"},
                  {{"NETRA_DATABASE_URL", database}}, 120s);
  ASSERT_EQ(demo.exit_code, 0) << demo.output;

  const std::string thread =
      server.expect(201, "POST", "/api/threads", token, json{{"title", "costs"}}.dump())["id"];
  const auto began = steady_clock::now();
  const json started =
      server.expect(202, "POST", "/api/threads/" + thread + "/runs", token,
                    json{{"user_request", "How can I cut my LLM costs by 30%?"}}.dump());
  ASSERT_TRUE(started.contains("run")) << started.dump();
  const std::string run_id = started["run"]["id"];

  json run;
  while (steady_clock::now() - began < 60s) {
    run = server.expect(200, "GET", "/api/runs/" + run_id, token);
    if (run["status"] != "queued" && run["status"] != "running") break;
    std::this_thread::sleep_for(100ms);
  }
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - began);

  EXPECT_EQ(run["status"], "completed") << run.dump();
  EXPECT_GE(model.requests().size(), 1u) << "the run never asked the model";
  // The model's wait, plus the run's own steps under ASan: far below the default 10 s timeout
  // and the 120 s run timeout a hanging call would end at.
  EXPECT_LT(took, milliseconds(kModelTimeoutMs) + 6s);
  bool summary_failed = false;
  std::string report;
  for (const auto& step : run["steps"]) {
    const auto& data = step["data"];
    if (step["type"] == "tool_completed" && data.value("tool", "") == "llm_summary") {
      summary_failed = data.contains("error");
    }
    if (step["type"] == "agent_completed") report = data.value("report", "");
  }
  EXPECT_TRUE(summary_failed) << run.dump();
  EXPECT_THAT(report, ::testing::Not(::testing::HasSubstr("Summary phrased by")));
  EXPECT_FALSE(report.empty()) << run.dump();
}

}  // namespace
}  // namespace netra::testing
