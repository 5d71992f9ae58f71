#include "core/startup_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace netra::core {
namespace {

using ::testing::HasSubstr;

ComponentReport ready(std::string name, double at, double took, std::vector<std::string> req = {},
                      std::vector<std::string> uses = {}) {
  ComponentReport c;
  c.name = std::move(name);
  c.state = ComponentState::ready;
  c.outcome = "ready";
  c.ready_at_ms = at;
  c.took_ms = took;
  c.started_at_ms = at - took;
  c.requires_components = std::move(req);
  c.uses_components = std::move(uses);
  c.attempts = 1;
  c.max_attempts = 3;
  return c;
}

TEST(StartupReport, CriticalChainFollowsTheDependencyThatWasReadyLast) {
  std::vector<ComponentReport> components{ready("database", 12, 12), ready("redis", 3, 3),
                                          ready("auth", 20, 8, {"database"}, {"redis"}),
                                          ready("metrics", 1, 1),
                                          ready("api", 25, 5, {"auth"}, {"metrics"})};
  auto chain = compute_critical_chain(components);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].name, "api");
  EXPECT_EQ(chain[1].name, "auth");
  EXPECT_EQ(chain[2].name, "database");
}

TEST(StartupReport, JsonAndTableCarryEveryComponent) {
  StartupReport report;
  report.outcome = core::StartupOutcome::degraded;
  report.elapsed_ms = 25.5;
  report.components = {ready("database", 12, 12)};
  ComponentReport ch;
  ch.name = "clickhouse";
  ch.state = ComponentState::degraded;
  ch.outcome = "degraded";
  ch.error = "timed out after 3000 ms (attempt 2 of 2)";
  ch.history = {{1, 3000, "timed out", "", 250}, {2, 3000, "timed out", "", -1}};
  report.components.push_back(ch);
  report.critical_chain = compute_critical_chain(report.components);

  auto json = to_json(report);
  EXPECT_EQ(json["outcome"], "degraded");
  ASSERT_EQ(json["components"].size(), 2u);
  EXPECT_EQ(json["components"][1]["error"], "timed out after 3000 ms (attempt 2 of 2)");
  EXPECT_EQ(json["components"][1]["history"][0]["backoff_ms"], 250);
  EXPECT_TRUE(json["components"][1]["ready_at_ms"].is_null());
  EXPECT_EQ(json["critical_chain"][0]["name"], "database");

  auto table = to_table(report);
  EXPECT_THAT(table, HasSubstr("start-up degraded in 25.5 ms"));
  EXPECT_THAT(table, HasSubstr("clickhouse"));
  EXPECT_THAT(table, HasSubstr("timed out after 3000 ms (attempt 2 of 2)"));
  EXPECT_THAT(table, HasSubstr("critical chain:\ndatabase @12.0ms +12.0ms"));
}

}  // namespace
}  // namespace netra::core
