#include "support/netra_server.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "support/fixture_server.hpp"

namespace netra::testing {

using namespace std::chrono_literals;

NetraServer::NetraServer(const std::vector<std::string>& sets,
                         std::map<std::string, std::string> env) {
  std::vector<std::string> argv = {NETRA_BIN,      "serve",
                                   "--log-format", "text",
                                   "--set",        "server.host=127.0.0.1",
                                   "--set",        "server.port=0",
                                   "--set",        "auth.dev_login=true"};
  for (const auto& set : sets) {
    argv.push_back("--set");
    argv.push_back(set);
  }
  env.emplace("NETRA_DATABASE_URL", "sqlite:" + data_.file("netra.db"));
  env.emplace("NETRA_AUTH_KEY_DIR", data_.file("keys"));
  child_ = std::make_unique<ChildProcess>(argv, env);
  if (!child_->wait_for_output("serving until SIGTERM", 30s)) {
    throw std::runtime_error("netra did not finish starting:\n" + child_->output());
  }
  port_ = listening_port(child_->output());
}

std::optional<TestResponse> NetraServer::call(const std::string& method, const std::string& target,
                                              const std::string& body, const std::string& token) {
  TestHttpClient client("127.0.0.1", port_);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: t\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  client.send(request);
  return client.read_response(30s);
}

nlohmann::json NetraServer::expect(int status, const std::string& method, const std::string& target,
                                   const std::string& token, const std::string& body) {
  auto r = call(method, target, body, token);
  EXPECT_TRUE(r.has_value()) << method << " " << target;
  if (!r) return nlohmann::json();
  EXPECT_EQ(r->status, status) << method << " " << target << ": " << r->body;
  return nlohmann::json::parse(r->body, nullptr, false);
}

std::string NetraServer::sign_in(const std::string& email) {
  auto r = call("POST", "/auth/dev/login", nlohmann::json{{"email", email}}.dump());
  if (!r || r->status != 200) throw std::runtime_error("dev login failed for " + email);
  return nlohmann::json::parse(r->body)["access_token"];
}

ScratchClickHouse::ScratchClickHouse() {
  auto started =
      run_process({std::string(NETRA_SOURCE_DIR) + "/scripts/clickhouse-test-server"}, {}, 120s);
  if (started.exit_code != 0) {
    throw std::runtime_error("scripts/clickhouse-test-server failed:\n" + started.output);
  }
  std::istringstream lines(started.output);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    if (key == "TEST_CLICKHOUSE_URL") url_ = value;
    if (key == "TEST_CLICKHOUSE_USER") user_ = value;
    if (key == "TEST_CLICKHOUSE_PASSWORD") password_ = value;
    if (key == "TEST_CLICKHOUSE_DIR") dir_ = value;
  }
  if (url_.empty() || dir_.empty()) {
    throw std::runtime_error("scripts/clickhouse-test-server said:\n" + started.output);
  }
}

ScratchClickHouse::~ScratchClickHouse() {
  thaw();
  run_process({std::string(NETRA_SOURCE_DIR) + "/scripts/clickhouse-test-server", "stop", dir_}, {},
              60s);
}

void ScratchClickHouse::script(const std::string& command) {
  auto done = run_process(
      {std::string(NETRA_SOURCE_DIR) + "/scripts/clickhouse-test-server", command, dir_}, {}, 90s);
  if (done.exit_code != 0) {
    throw std::runtime_error("clickhouse-test-server " + command + " failed:\n" + done.output);
  }
}

void ScratchClickHouse::pause() {
  script("pause");
}

void ScratchClickHouse::resume() {
  script("resume");
}

void ScratchClickHouse::freeze() {
  std::ifstream pid_file(dir_ + "/pid");
  int pid = 0;
  if (!(pid_file >> pid) || pid <= 0 || ::kill(pid, SIGSTOP) != 0) {
    throw std::runtime_error("cannot freeze the ClickHouse of " + dir_);
  }
  frozen_pid_ = pid;
}

void ScratchClickHouse::thaw() {
  if (frozen_pid_ > 0) ::kill(frozen_pid_, SIGCONT);
  frozen_pid_ = 0;
}

}  // namespace netra::testing
