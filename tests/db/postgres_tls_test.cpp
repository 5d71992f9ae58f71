// TLS to PostgreSQL with every sslmode that matters: a CA and a server certificate are made with
// openssl at test time, a TLS-enabled throwaway cluster serves with them. Skipped without
// TEST_POSTGRES_URL (the plain cluster, used for `require` against a server without TLS).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"
#include "db/detail/driver.hpp"
#include "db/postgres_conninfo.hpp"
#include "support/child_process.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"
#include "support/test_servers.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class PostgresTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!netra::testing::have_test_server("TEST_POSTGRES_URL")) return;
    dir_ = new TempDir();
    make_authority(*dir_, "ca");
    make_authority(*dir_, "other-ca");
    make_server_certificate(*dir_, "server", "ca", "localhost", "DNS:localhost");
    auto started = run_process({std::string(NETRA_SOURCE_DIR) + "/scripts/postgres-test-server",
                                "--tls", dir_->file("server.crt"), dir_->file("server.key")},
                               {}, 60s);
    if (started.exit_code != 0) throw std::runtime_error("TLS cluster: " + started.output);
    std::smatch m;
    std::regex_search(started.output, m, std::regex("TEST_POSTGRES_PORT=(\\d+)"));
    port_ = m[1];
    std::regex_search(started.output, m, std::regex("TEST_POSTGRES_DIR=(\\S+)"));
    cluster_dir_ = m[1];
  }
  static void TearDownTestSuite() {
    if (!cluster_dir_.empty()) {
      run_process(
          {std::string(NETRA_SOURCE_DIR) + "/scripts/postgres-test-server", "stop", cluster_dir_});
    }
    delete dir_;
  }
  void SetUp() override {
    if (!netra::testing::have_test_server("TEST_POSTGRES_URL"))
      GTEST_SKIP() << "TEST_POSTGRES_URL is not set";
    loops_.start();
  }
  void TearDown() override {
    offload_.shutdown(1s);
    loops_.stop(1s);
  }

  // Connects and runs SELECT 1; returns "" on success or the error.
  std::string try_connect(const std::string& url) {
    db::DatabaseSettings settings;
    settings.url = url;
    settings.connect_timeout = 5000ms;
    db::Database database(db::make_driver(settings, offload_), settings.pool);
    auto r = run_awaitable(loops_.context(0).get_executor(),
                           database.query("SELECT 1", {}, core::Deadline::after(10s)), 20s);
    database.close_idle();
    return r ? "" : r.error().message;
  }
  std::string url(const std::string& host, const std::string& query) {
    return "postgres://postgres:netra-test@" + host + ":" + port_ + "/netra_test?" + query;
  }

  static TempDir* dir_;
  static std::string port_;
  static std::string cluster_dir_;
  core::EventLoops loops_{1, 10ms};
  core::OffloadPool offload_{2};
};
TempDir* PostgresTls::dir_ = nullptr;
std::string PostgresTls::port_;
std::string PostgresTls::cluster_dir_;

TEST_F(PostgresTls, VerifyFullSucceedsWithTheRightCaAndHost) {
  EXPECT_EQ(
      try_connect(url("localhost", "sslmode=verify-full&sslrootcert=" + dir_->file("ca.crt"))), "");
}

TEST_F(PostgresTls, VerifyFullFailsClearlyWithAWrongCa) {
  EXPECT_THAT(try_connect(url("localhost",
                              "sslmode=verify-full&sslrootcert=" + dir_->file("other-ca.crt"))),
              HasSubstr("certificate verify failed"));
}

TEST_F(PostgresTls, VerifyFullFailsClearlyWithAWrongHostName) {
  EXPECT_THAT(
      try_connect(url("127.0.0.1", "sslmode=verify-full&sslrootcert=" + dir_->file("ca.crt"))),
      HasSubstr("does not match host name"));
}

TEST_F(PostgresTls, SslTrueMeansRequire) {
  EXPECT_EQ(try_connect(url("127.0.0.1", "ssl=true")), "");
}

TEST_F(PostgresTls, RequireAgainstAServerWithoutTlsFailsClearly) {
  std::string plain = netra::testing::test_server("TEST_POSTGRES_URL");
  EXPECT_THAT(try_connect(plain + "?sslmode=require"), HasSubstr("server does not support SSL"));
}

// Which settings trust a server that has not proved who it is: what production refuses.
TEST(UnverifiedRemoteServer, NamesARemoteHostReachedWithoutVerification) {
  using db::unverified_remote_server;
  const db::TlsSettings none{};
  EXPECT_EQ(unverified_remote_server("postgres://u:p@db.example.com/netra", none),
            "db.example.com (sslmode=prefer)")
      << "libpq's default neither requires nor verifies TLS";
  EXPECT_EQ(unverified_remote_server("postgres://u:p@db.example.com/netra?sslmode=require", none),
            "db.example.com (sslmode=require)");
  EXPECT_EQ(unverified_remote_server("host=10.1.2.3 dbname=netra", {"disable", "", "", ""}),
            "10.1.2.3 (sslmode=disable)");
  EXPECT_EQ(unverified_remote_server("postgres://u@127.0.0.1,db.example.com/netra", none),
            "db.example.com (sslmode=prefer)")
      << "every host of a list counts";
  EXPECT_EQ(unverified_remote_server("postgres://u:p@db.example.com/netra?password=hunter2", none)
                .find("hunter2"),
            std::string::npos);
}

TEST(UnverifiedRemoteServer, AcceptsVerifiedServersAndThisMachine) {
  using db::unverified_remote_server;
  const std::string ca = "/etc/ssl/certs/ca-certificates.crt";
  EXPECT_EQ(
      unverified_remote_server("postgres://u@db.example.com/netra", {"verify-full", ca, "", ""}),
      "");
  EXPECT_EQ(unverified_remote_server("postgres://u@db.example.com/netra?sslmode=verify-ca", {}),
            "");
  for (const char* local :
       {"postgres://u@127.0.0.1:5432/netra", "postgres://u@localhost/netra",
        "postgres://u@[::1]/netra", "host=/var/run/postgresql dbname=netra", "postgres:///netra"}) {
    EXPECT_EQ(unverified_remote_server(local, {}), "") << local;
  }
}

}  // namespace
}  // namespace netra::testing
