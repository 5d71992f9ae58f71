// The auth service as its own process (`netra auth`) and a backend that verifies its tokens with
// the keys it fetches (auth.url): two real processes, started in the order the old system could
// not survive — the backend first, while the auth service is down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/child_process.hpp"
#include "support/fixture_server.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"
#include "support/unused_port.hpp"

namespace netra::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::optional<TestResponse> post(int port, const std::string& path, const json& body,
                                 const std::string& token = "") {
  TestHttpClient client("127.0.0.1", port);
  const auto text = body.dump();
  std::string request = "POST " + path +
                        " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(text.size()) +
                        "\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  client.send(request + "\r\n" + text);
  return client.read_response(20s);
}

class AuthSplit : public ::testing::Test {
 protected:
  std::map<std::string, std::string> env() const {
    return {{"NETRA_DATABASE_URL", "sqlite:" + data_.file("netra.db")},
            {"NETRA_AUTH_KEY_DIR", data_.file("keys")},
            {"NETRA_LOG_FORMAT", "text"}};
  }
  std::unique_ptr<ChildProcess> start_backend() {
    auto backend = std::make_unique<ChildProcess>(
        std::vector<std::string>{NETRA_BIN, "serve", "--set", "server.port=0", "--set",
                                 "server.host=127.0.0.1", "--set",
                                 "auth.url=http://127.0.0.1:" + std::to_string(auth_port_), "--set",
                                 "auth.jwks_refresh_interval_ms=200"},
        env());
    return backend;
  }
  std::unique_ptr<ChildProcess> start_auth() {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{NETRA_BIN, "auth", "--set",
                                 "auth.port=" + std::to_string(auth_port_), "--set",
                                 "server.host=127.0.0.1"},
        env());
  }
  // Registers (once) and logs in at the auth service: an access token.
  std::string login() {
    const json account = {{"email", "split@example.com"}, {"password", "a long enough password"}};
    post(auth_port_, "/auth/register", account);
    auto r = post(auth_port_, "/auth/login", account);
    if (!r || r->status != 200) throw std::runtime_error("login failed");
    return json::parse(r->body)["access_token"];
  }
  // Polls the backend's authenticated route until it accepts the token (a key fetch is retried
  // at most once a second while there are no keys, and an unknown kid refetches at most every
  // 200 ms here), for up to 10 s: a loaded machine (sanitizers, parallel tests) is slow.
  std::optional<TestResponse> ticket_when_keys_arrive(const std::string& token) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    std::optional<TestResponse> r;
    do {
      r = post(backend_port_, "/api/websocket/ticket", json::object(), token);
      if (r && r->status == 200) return r;
      std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < until);
    return r;
  }

  TempDir data_;
  int auth_port_ = unused_port();
  int backend_port_ = 0;
};

TEST_F(AuthSplit, TheBackendStartsWithoutTheAuthServiceAndHealsWhenItArrives) {
  auto backend = start_backend();
  ASSERT_TRUE(backend->wait_for_output("serving until SIGTERM", 10s)) << backend->output();
  backend_port_ = listening_port(backend->output());
  auto ready = http_get(backend_port_, "/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << "ready while the auth service is down: " << ready->body;

  // No keys yet: 503 auth_unavailable, not 401 (the token may well be good).
  auto early = post(backend_port_, "/api/websocket/ticket", json::object(), "a.b.c");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 503);
  EXPECT_EQ(json::parse(early->body)["error"]["code"], "auth_unavailable");
  EXPECT_EQ(early->header("retry-after"), "1");
  EXPECT_EQ(post(backend_port_, "/auth/login", json::object())->status, 404)
      << "the backend does not serve /auth/* when the auth service runs elsewhere";

  auto auth = start_auth();
  ASSERT_TRUE(auth->wait_for_output("serving until SIGTERM", 10s)) << auth->output();
  EXPECT_THAT(auth->output(), ::testing::HasSubstr(":" + std::to_string(auth_port_)));
  const auto token = login();

  auto ticket = ticket_when_keys_arrive(token);
  ASSERT_TRUE(ticket);
  ASSERT_EQ(ticket->status, 200) << ticket->body;
  EXPECT_EQ(json::parse(ticket->body)["ticket_id"].get<std::string>().rfind("tkt_", 0), 0u);
  EXPECT_THAT(backend->output(), ::testing::HasSubstr("fetched 1 signing key(s)"));
  EXPECT_THAT(backend->output(), ::testing::Not(::testing::HasSubstr(token)));

  // A forged token is still refused with 401 once keys are known.
  auto forged = post(backend_port_, "/api/websocket/ticket", json::object(), token + "x");
  EXPECT_EQ(forged->status, 401);

  // Rotation: the auth service restarts with a new key; old tokens still work, new ones too,
  // and the backend learns the new kid without a restart.
  auth->signal(SIGTERM);
  ASSERT_TRUE(auth->wait(10s).has_value());
  auto rotated = run_process({NETRA_BIN, "rotate-key"}, env());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_THAT(rotated.output, ::testing::HasSubstr("retired key"));
  auth = start_auth();
  ASSERT_TRUE(auth->wait_for_output("serving until SIGTERM", 10s)) << auth->output();
  const auto new_token = login();
  ASSERT_NE(new_token, token);
  auto with_new_key = ticket_when_keys_arrive(new_token);
  ASSERT_TRUE(with_new_key);
  EXPECT_EQ(with_new_key->status, 200) << with_new_key->body;
  auto with_old_key = post(backend_port_, "/api/websocket/ticket", json::object(), token);
  EXPECT_EQ(with_old_key->status, 200) << "rotation logs nobody out";
  auto jwks = http_get(auth_port_, "/.well-known/jwks.json");
  EXPECT_EQ(json::parse(jwks->body)["keys"].size(), 2u);
}

// Whether process `pid` has `library` mapped (its /proc/PID/maps names the file).
bool maps_library(int pid, const std::string& library) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("/" + library) != std::string::npos) return true;
  }
  return false;
}

// The key set from a separate auth service over https://: served here by openssl s_server -WWW
// (the auth service's own JWKS, as a TLS terminator in front of it would), with a certificate
// from the test's authority that the backend trusts through auth.ca_file. With another
// authority the backend cannot fetch the keys and answers 503, never accepting the token.
TEST_F(AuthSplit, TheKeySetComesOverHttpsFromAnAuthorityTheBackendTrusts) {
  auto auth = start_auth();
  ASSERT_TRUE(auth->wait_for_output("serving until SIGTERM", 10s)) << auth->output();
  const auto token = login();
  // Keys, logins and tokens need no OpenSSL: it is loaded by the first https:// request only.
  EXPECT_FALSE(maps_library(auth->pid(), "libssl.so.3"));
  EXPECT_FALSE(maps_library(auth->pid(), "libcrypto.so.3"));
  auto jwks = http_get(auth_port_, "/.well-known/jwks.json");
  ASSERT_TRUE(jwks);
  TempDir site;
  std::filesystem::create_directories(site.file(".well-known"));
  std::ofstream(site.file(".well-known/jwks.json")) << jwks->body;
  make_authority(site, "ca");
  make_authority(site, "other-ca");
  make_server_certificate(site, "server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1");
  const int tls_port = unused_port();
  ChildProcess tls({"/bin/sh", "-c",
                    "cd '" + site.file("") +
                        "' && exec /usr/bin/openssl s_server -accept 127.0.0.1:" +
                        std::to_string(tls_port) + " -cert server.crt -key server.key -WWW"});
  ASSERT_TRUE(tls.wait_for_output("ACCEPT", 10s)) << tls.output();

  auto backend_trusting = [&](const std::string& authority) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{NETRA_BIN, "serve", "--set", "server.port=0", "--set",
                                 "server.host=127.0.0.1", "--set",
                                 "auth.url=https://localhost:" + std::to_string(tls_port), "--set",
                                 "auth.ca_file=" + site.file(authority + ".crt"), "--set",
                                 "auth.jwks_refresh_interval_ms=200"},
        env());
  };
  {
    auto backend = backend_trusting("other-ca");
    ASSERT_TRUE(backend->wait_for_output("serving until SIGTERM", 10s)) << backend->output();
    backend_port_ = listening_port(backend->output());
    auto refused = post(backend_port_, "/api/websocket/ticket", json::object(), token);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503) << "keys from an untrusted server: " << refused->body;
  }
  auto backend = backend_trusting("ca");
  ASSERT_TRUE(backend->wait_for_output("serving until SIGTERM", 10s)) << backend->output();
  backend_port_ = listening_port(backend->output());
  auto ticket = ticket_when_keys_arrive(token);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->status, 200) << ticket->body;
  EXPECT_TRUE(maps_library(backend->pid(), "libssl.so.3")) << "loaded for the https:// key set";
}

// Plain http:// to a host that is not on this machine is refused before anything starts.
TEST(AuthUrl, PlainHttpToAnotherHostIsAConfigurationError) {
  auto r = run_process({NETRA_BIN, "check", "--set", "auth.url=http://10.20.30.40:8081"}, {});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("must come over https://"));
  auto https = run_process({NETRA_BIN, "check", "--set", "auth.url=https://auth.internal"}, {});
  EXPECT_EQ(https.exit_code, 0) << https.output;
  auto local = run_process({NETRA_BIN, "check", "--set", "auth.url=http://127.0.0.1:8081"}, {});
  EXPECT_EQ(local.exit_code, 0) << local.output;
}

TEST_F(AuthSplit, TheAuthServiceRunsAloneWithoutTheBackend) {
  auto auth = start_auth();
  ASSERT_TRUE(auth->wait_for_output("serving until SIGTERM", 10s)) << auth->output();
  auto ready = http_get(auth_port_, "/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_FALSE(login().empty());
  EXPECT_EQ(post(auth_port_, "/api/websocket/ticket", json::object())->status, 404)
      << "the auth service serves accounts and keys only";
}

}  // namespace
}  // namespace netra::testing
