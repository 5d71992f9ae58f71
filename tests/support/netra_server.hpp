// NetraServer: the real `netra serve` on a port the kernel picks, on a SQLite file of its own,
// with dev login on — and one-call JSON requests against it — for end-to-end API tests.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {

class NetraServer {
 public:
  // `sets`: "section.key=value" for --set; `env` adds to the process environment. Throws when
  // the server does not finish starting within 30 s.
  explicit NetraServer(const std::vector<std::string>& sets = {},
                       std::map<std::string, std::string> env = {});

  int port() const { return port_; }
  ChildProcess& process() { return *child_; }

  // One request on a fresh connection; nullopt if no full answer came within 30 s.
  std::optional<TestResponse> call(const std::string& method, const std::string& target,
                                   const std::string& body = "", const std::string& token = "");
  // A JSON answer (discarded when the body is not JSON), failing the running test unless it came
  // with `status`.
  nlohmann::json expect(int status, const std::string& method, const std::string& target,
                        const std::string& token, const std::string& body = "");
  // An access token for `email` through POST /auth/dev/login; throws if it fails.
  std::string sign_in(const std::string& email);

 private:
  TempDir data_;
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

// A throwaway ClickHouse from scripts/clickhouse-test-server, stopped and removed with this
// object; pause() and resume() make an outage. Throws when the script fails.
class ScratchClickHouse {
 public:
  ScratchClickHouse();
  ~ScratchClickHouse();
  ScratchClickHouse(const ScratchClickHouse&) = delete;
  ScratchClickHouse& operator=(const ScratchClickHouse&) = delete;

  const std::string& url() const { return url_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  void pause();
  void resume();
  // SIGSTOP / SIGCONT: connections stay open and nothing answers (a hung host).
  void freeze();
  void thaw();

 private:
  void script(const std::string& command);

  std::string url_, user_, password_, dir_;
  int frozen_pid_ = 0;
};

}  // namespace netra::testing
