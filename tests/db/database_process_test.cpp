// The real `netra` binary against the test PostgreSQL server: it serves, and when the database is
// wrong or unreachable it fails within its start timeout plus backoff, with the server's own
// reason and no password in sight — it never hangs. Skipped without TEST_POSTGRES_URL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "support/child_process.hpp"
#include "support/fixture_server.hpp"
#include "support/http_client.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/temp_dir.hpp"
#include "support/unused_port.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

std::string postgres_url() {
  return netra::testing::test_server("TEST_POSTGRES_URL");
}

std::string with_database(std::string url, const std::string& name) {
  return url.substr(0, url.rfind('/') + 1) + name;
}

// `netra serve` with the database at `url`, quick retries, and a free HTTP port.
Finished serve_with(const std::string& url, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {NETRA_BIN,      "serve",
                                   "--log-format", "text",
                                   "--set",        "components.database.retries=1",
                                   "--set",        "components.database.backoff_base_ms=50",
                                   "--set",        "components.database.backoff_cap_ms=100",
                                   "--set",        "components.database.start_timeout_ms=2000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_process(argv, {{"NETRA_DATABASE_URL", url}, {"NETRA_SERVER_PORT", "0"}}, 20s);
}

class PostgresProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!netra::testing::have_test_server("TEST_POSTGRES_URL")) GTEST_SKIP() << "TEST_POSTGRES_URL is not set";
  }
};

TEST_F(PostgresProcess, ServesAndMigratesWithPostgres) {
  ScratchPostgresDatabase database("netra_serve");  // pending migrations, whatever ran before
  ChildProcess child({NETRA_BIN, "serve", "--log-format", "text", "--set", "server.host=127.0.0.1"},
                     {{"NETRA_DATABASE_URL", database.url()}, {"NETRA_SERVER_PORT", "0"}});
  ASSERT_TRUE(child.wait_for_output("serving until SIGTERM", 15s)) << child.output();
  const auto out = child.output();
  auto ready = http_get(listening_port(out), "/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_THAT(out, HasSubstr("postgres:***@127.0.0.1"));
  EXPECT_THAT(out, Not(HasSubstr("netra-test"))) << "the password appeared in a log line";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
}

TEST_F(PostgresProcess, WrongPasswordFailsWithTheServersReasonAndNoPassword) {
  std::string url = postgres_url();
  url = std::regex_replace(url, std::regex(":netra-test@"), ":wrong-secret@");
  auto r = serve_with(url);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("password authentication failed"));
  EXPECT_THAT(r.output, HasSubstr("critical component 'database' failed after 2 attempt(s)"));
  EXPECT_THAT(r.output, Not(HasSubstr("wrong-secret")));
  EXPECT_LT(r.elapsed_ms, 2 * 2000 + 1000);
}

TEST_F(PostgresProcess, MissingDatabaseFailsNamingIt) {
  auto r = serve_with(with_database(postgres_url(), "no_such_db"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("database \"no_such_db\" does not exist"));
}

// Cases that need no PostgreSQL server (a refused port, a silent one, settings that are refused
// before connecting): they run everywhere, never skipped.
constexpr const char* kNoServerUrl = "postgres://postgres:netra-test@127.0.0.1:5432/netra_test";

TEST(PostgresWithoutAServer, ServerDownFailsFast) {
  const int port = unused_port();
  auto r = serve_with("postgres://postgres:x@127.0.0.1:" + std::to_string(port) + "/netra_test");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Connection refused"));
  EXPECT_LT(r.elapsed_ms, 3000);
}

// A server that accepts the TCP connection and never says a word.
TEST(PostgresWithoutAServer, SilentServerHitsTheConnectDeadline) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  auto r = serve_with(
      "postgres://postgres:x@127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/netra_test",
      {"--set", "database.connect_timeout_ms=300"});
  ::close(listener);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("timed out after 300 ms"));
  EXPECT_LT(r.elapsed_ms, 2 * 300 + 2000);
}

// The real postmaster, frozen with SIGSTOP: connections are accepted by the kernel, nothing
// answers.
TEST_F(PostgresProcess, StoppedPostmasterHitsTheConnectDeadline) {
  const std::string dir = netra::testing::test_server("TEST_POSTGRES_DIR");
  if (dir.empty()) return;
  std::ifstream pid_file(std::string(dir) + "/data/postmaster.pid");
  int pid = 0;
  ASSERT_TRUE(pid_file >> pid);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto r = serve_with(postgres_url(), {"--set", "database.connect_timeout_ms=300"});
  ::kill(pid, SIGCONT);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("timed out after 300 ms"));
  EXPECT_LT(r.elapsed_ms, 2 * 300 + 2000);
}

TEST(PostgresWithoutAServer, ConflictingTlsSettingsAreAConfigurationError) {
  auto r = run_process({NETRA_BIN, "check"},
                       {{"NETRA_DATABASE_URL", std::string(kNoServerUrl) + "?ssl=true&sslmode=disable"}});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sslmode=disable conflicts with ssl=true"));
  EXPECT_THAT(r.output, Not(HasSubstr("netra-test")));
}

TEST(PostgresWithoutAServer, MissingCertificateFileIsAConfigurationError) {
  auto r =
      run_process({NETRA_BIN, "check"}, {{"NETRA_DATABASE_URL", kNoServerUrl},
                                         {"NETRA_DATABASE_SSL_MODE", "verify-full"},
                                         {"NETRA_DATABASE_SSL_ROOT_CERT", "/nonexistent/ca.pem"}});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sslrootcert=/nonexistent/ca.pem: no such file"));
}

TEST_F(PostgresProcess, TwoMigratorsTogetherApplyEachMigrationOnce) {
  ScratchPostgresDatabase database("netra_migrate_race");  // the migrations are pending
  const std::string& url = database.url();
  ChildProcess a({NETRA_BIN, "migrate"}, {{"NETRA_DATABASE_URL", url}});
  ChildProcess b({NETRA_BIN, "migrate"}, {{"NETRA_DATABASE_URL", url}});
  ASSERT_EQ(a.wait(20s), 0) << a.output();
  ASSERT_EQ(b.wait(20s), 0) << b.output();
  const auto both = a.output() + b.output();
  size_t applied = 0;
  for (size_t at = both.find("applied 0001_initial_schema"); at != std::string::npos;
       at = both.find("applied 0001_initial_schema", at + 1)) {
    ++applied;
  }
  EXPECT_EQ(applied, 1u) << both;
  auto status = run_process({NETRA_BIN, "migrate", "--status"}, {{"NETRA_DATABASE_URL", url}});
  EXPECT_THAT(status.output, HasSubstr("applied  0001_initial_schema"));
  EXPECT_THAT(status.output, Not(HasSubstr("pending")));
}

}  // namespace
}  // namespace netra::testing

namespace netra::testing {
namespace {

// PostgreSQL goes away while netra serves: the breaker opens and readiness drops; when the server
// is back, readiness returns without restarting netra.
TEST_F(PostgresProcess, RestartedServerOpensThenClosesTheBreaker) {
  const std::string dir = netra::testing::test_server("TEST_POSTGRES_DIR");
  if (dir.empty()) return;
  ScratchPostgresDatabase database("netra_breaker");
  ChildProcess child({NETRA_BIN, "serve", "--log-format", "text", "--set", "server.host=127.0.0.1"},
                     {{"NETRA_DATABASE_URL", database.url()}, {"NETRA_SERVER_PORT", "0"}});
  ASSERT_TRUE(child.wait_for_output("serving until SIGTERM", 15s)) << child.output();
  const int port = listening_port(child.output());
  ASSERT_NE(port, 0);
  ASSERT_EQ(http_get(port, "/health/ready")->status, 200);

  const std::string script = std::string(NETRA_SOURCE_DIR) + "/scripts/postgres-test-server";
  ASSERT_EQ(run_process({script, "pause", dir}).exit_code, 0);
  auto wait_for_status = [&](int wanted, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto r = http_get(port, "/health/ready");
      if (r && r->status == wanted) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  };
  const bool dropped = wait_for_status(503, 15s);
  auto health = http_get(port, "/health");
  ASSERT_EQ(run_process({script, "resume", dir}).exit_code, 0);
  ASSERT_TRUE(dropped) << child.output();
  EXPECT_THAT(health->body, HasSubstr("\"state\":\"open\""));
  EXPECT_TRUE(wait_for_status(200, 20s)) << child.output();
  EXPECT_TRUE(child.wait_for_output("circuit breaker closed", 5s));
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
}

}  // namespace
}  // namespace netra::testing
