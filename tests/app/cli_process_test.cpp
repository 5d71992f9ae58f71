// The whole `netra` process: exit codes, the start plan, graphs, logs, and that neither a failed
// critical component nor a thread stuck in a blocking call can keep the process from exiting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/child_process.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixture = NETRA_FIXTURE_BIN;
const std::string kNetra = NETRA_BIN;

// Every test server listens on a port the kernel picks, so tests never collide.
const std::map<std::string, std::string> kAnyPort = {{"NETRA_SERVER_PORT", "0"}};

Finished fixture(const std::string& scenario, std::vector<std::string> args,
                 std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), kFixture);
  env.insert(kAnyPort.begin(), kAnyPort.end());
  env["FIXTURE_SCENARIO"] = scenario;
  return run_process(args, env, 30s);
}

TEST(Cli, VersionNamesTheCommit) {
  auto r = run_process({kNetra, "version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("netra 0.1.0 (commit "));
}

TEST(Cli, RealBinaryChecksItsEmbeddedDefaults) {
  auto r = run_process({kNetra, "check"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("configuration ok"));
}

TEST(Cli, CheckPrintsTheStartPlanInWaves) {
  auto r = fixture("demo", {"check"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("profile full; 8 of 8 components enabled"));
  EXPECT_THAT(r.output, HasSubstr("auth_service"));
  EXPECT_THAT(r.output, HasSubstr("requires database, uses redis"));
  // database starts in wave 0, api in wave 2 (after auth_service).
  EXPECT_THAT(r.output, ::testing::ContainsRegex("0 +database +critical"));
  EXPECT_THAT(r.output, ::testing::ContainsRegex("2 +api +critical"));
}

TEST(Cli, CheckReportsACycleAsItsPathWithExitCode2) {
  auto r = fixture("cycle", {"check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("dependency cycle: a -> b -> a"));
}

TEST(Cli, DisablingWhatACriticalComponentRequiresIsAConfigurationError) {
  auto r = fixture("demo", {"check", "--disable", "database"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output,
              HasSubstr("cannot disable 'database': critical component 'api' requires it"));
}

TEST(Cli, ConfigErrorsNameKeyAndSourceWithExitCode2) {
  auto r = fixture("demo", {"check"}, {{"NETRA_COMPONENTS_DATABSE_RETRIES", "1"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("unknown environment variable NETRA_COMPONENTS_DATABSE_RETRIES"));
  EXPECT_THAT(r.output, HasSubstr("NETRA_COMPONENTS_DATABASE_RETRIES"));
}

TEST(Cli, AuditSwitchesAreHonoured) {
  auto r = fixture("demo", {"check"}, {{"DISABLED_COMPONENTS", "clickhouse,monitoring"}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("6 of 8 components enabled"));
  r = fixture("demo", {"check"}, {{"DISABLE_NON_CRITICAL", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("profile minimal; 2 of 8 components enabled"));
}

TEST(Cli, GraphAsDotAndMermaidShowsCriticalityAndEdgeKinds) {
  auto dot = fixture("demo", {"graph", "--format", "dot"});
  ASSERT_EQ(dot.exit_code, 0);
  EXPECT_THAT(dot.output, HasSubstr("\"api\" [label=\"api (critical)\""));
  EXPECT_THAT(dot.output,
              HasSubstr("\"auth_service\" -> \"redis\" [label=\"uses\", style=dashed]"));
  EXPECT_THAT(dot.output, HasSubstr("\"api\" -> \"database\" [label=\"requires\", style=solid]"));
  auto mermaid = fixture("demo", {"graph", "--format", "mermaid"});
  ASSERT_EQ(mermaid.exit_code, 0);
  EXPECT_THAT(mermaid.output, HasSubstr("auth_service -.->|uses| redis"));
  EXPECT_THAT(mermaid.output, HasSubstr("api -->|requires| database"));
  auto bad = fixture("demo", {"graph", "--format", "png"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(Cli, ProductionRefusesADatabaseServerThatIsNotVerified) {
  const std::string remote = "database.url=postgres://netra:s3cret@db.example.com/netra";
  auto refused = run_process({kNetra, "check", "--set", "environment=production", "--set", remote});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("db.example.com (sslmode=prefer)"));
  EXPECT_THAT(refused.output, HasSubstr("verify-full"));
  EXPECT_THAT(refused.output, Not(HasSubstr("s3cret")));
  // Verified, allowed in so many words, or not production: accepted.
  for (std::vector<std::string> extra :
       {std::vector<std::string>{"--set", "environment=production", "--set",
                                 "database.ssl_mode=verify-full", "--set",
                                 "database.ssl_root_cert=/etc/ssl/certs/ca-certificates.crt"},
        std::vector<std::string>{"--set", "environment=production", "--set",
                                 "database.allow_unverified_tls=true"},
        std::vector<std::string>{"--set", "environment=staging"}}) {
    std::vector<std::string> argv{kNetra, "check", "--set", remote};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto accepted = run_process(argv);
    EXPECT_THAT(accepted.output, Not(HasSubstr("unverified"))) << extra[1];
    EXPECT_EQ(accepted.exit_code, 0) << extra[1] << "\n" << accepted.output;
  }
}

TEST(Cli, AuthSecretsAreCheckedButNeverPrinted) {
  const std::string secret = "short-but-secret-value";
  auto r = run_process({kNetra, "check"}, {{"NETRA_AUTH_SHARED_SECRET", secret}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output,
              HasSubstr("auth.shared_secret (from NETRA_AUTH_SHARED_SECRET) is 22 bytes"));
  EXPECT_THAT(r.output, Not(HasSubstr(secret)));
  auto hs = run_process({kNetra, "check", "--set", "auth.algorithm=HS256"});
  EXPECT_EQ(hs.exit_code, 2);
  EXPECT_THAT(hs.output, HasSubstr("needs auth.shared_secret"));
  auto url = run_process({kNetra, "check", "--set", "auth.url=ftp://auth.example.com"});
  EXPECT_EQ(url.exit_code, 2);
  EXPECT_THAT(url.output, HasSubstr("give the auth service's https:// URL"));
  auto plain = run_process({kNetra, "check", "--set", "auth.url=http://auth.example.com"});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_THAT(plain.output, HasSubstr("must come over https://"));
}

TEST(Cli, WithASeparateAuthServiceTheBackendGraphHasNoEdgeFromAuthToTheDatabase) {
  auto embedded = run_process({kNetra, "graph", "--format", "mermaid"});
  ASSERT_EQ(embedded.exit_code, 0) << embedded.output;
  EXPECT_THAT(embedded.output, HasSubstr("auth_service -->|requires| database"));
  auto remote = run_process(
      {kNetra, "graph", "--format", "mermaid", "--set", "auth.url=http://127.0.0.1:8081"});
  ASSERT_EQ(remote.exit_code, 0) << remote.output;
  EXPECT_THAT(remote.output, Not(HasSubstr("auth_service -->|requires| database")));
}

TEST(Serve, StartsLogsEveryComponentAndStopsInReverseOrderOnSigterm) {
  ChildProcess child({kFixture, "serve", "--log-format", "json"},
                     {{"FIXTURE_SCENARIO", "demo"}, {"NETRA_SERVER_PORT", "0"}});
  ASSERT_TRUE(child.wait_for_output("serving until SIGTERM", 10s)) << child.output();
  child.signal(SIGTERM);
  ASSERT_EQ(child.wait(10s), 0) << child.output();

  std::istringstream lines(child.output());
  std::string line;
  std::vector<std::string> stopped;
  int lines_seen = 0;
  while (std::getline(lines, line)) {
    auto json = nlohmann::json::parse(line);  // every line is JSON when --log-format json
    ++lines_seen;
    ASSERT_TRUE(json.contains("component")) << line;
    if (json["msg"] == "stopped") stopped.push_back(json["component"]);
  }
  EXPECT_GT(lines_seen, 10);
  auto pos = [&](const std::string& name) {
    return std::find(stopped.begin(), stopped.end(), name) - stopped.begin();
  };
  ASSERT_EQ(stopped.size(), 8u) << child.output();  // every component of the graph, tracing too
  EXPECT_LT(pos("api"), pos("auth_service"));
  EXPECT_LT(pos("auth_service"), pos("database"));
  EXPECT_LT(pos("monitoring"), pos("clickhouse"));
}

TEST(Serve, CriticalFailureExitsWith3AndAReportNamingIt) {
  auto r = fixture("critical_fails",
                   {"serve", "--log-format", "text", "--set", "components.database.retries=1",
                    "--set", "components.database.backoff_cap_ms=20"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("critical component 'database' failed after 2 attempt(s): "
                                  "database scripted failure in start"));
  EXPECT_THAT(r.output, HasSubstr("start-up failed in"));
  // What had started (the independent ones) was stopped again.
  EXPECT_THAT(r.output, HasSubstr("[redis] stopped"));
  EXPECT_THAT(r.output, Not(HasSubstr("[api] starting")));
}

TEST(Serve, CriticalComponentStuckInABlockingCallExitsWithin3AndOnTime) {
  auto r = fixture("critical_stuck_offload", {"serve", "--log-format", "text", "--set",
                                              "components.database.start_timeout_ms=200", "--set",
                                              "components.database.retries=0"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("timed out after 200 ms (attempt 1 of 1)"));
  EXPECT_THAT(r.output, HasSubstr("offload thread(s) still inside a blocking call"));
  EXPECT_LT(r.elapsed_ms, 200 + 1500) << "the stuck thread must not be joined";
}

TEST(Serve, DegradedComponentStuckInABlockingCallDoesNotDelayShutdown) {
  ChildProcess child(
      {kFixture, "serve", "--log-format", "text", "--set",
       "components.clickhouse.start_timeout_ms=150", "--set", "components.clickhouse.retries=0"},
      {{"FIXTURE_SCENARIO", "degraded_stuck_offload"}, {"NETRA_SERVER_PORT", "0"}});
  ASSERT_TRUE(child.wait_for_output("serving until SIGTERM", 10s)) << child.output();
  EXPECT_THAT(child.output(), HasSubstr("degraded in"));
  const auto began = std::chrono::steady_clock::now();
  child.signal(SIGTERM);
  ASSERT_EQ(child.wait(10s), 0) << child.output();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1500ms);
}

TEST(Serve, MinimalProfileStartsOnlyCriticalComponents) {
  ChildProcess child({kFixture, "serve", "--profile", "minimal", "--log-format", "text"},
                     {{"FIXTURE_SCENARIO", "demo"}, {"NETRA_SERVER_PORT", "0"}});
  ASSERT_TRUE(child.wait_for_output("serving until SIGTERM", 10s)) << child.output();
  child.signal(SIGINT);
  ASSERT_EQ(child.wait(10s), 0);
  EXPECT_THAT(child.output(), HasSubstr("[api] ready"));
  EXPECT_THAT(child.output(), Not(HasSubstr("[redis] starting")));
  EXPECT_THAT(child.output(), HasSubstr("not in the minimal profile"));
}

}  // namespace
}  // namespace netra::testing
