// FixtureServer: `netra_fixture serve` on a port the kernel picks, found from its log, with its
// output drained all the time — for tests that talk HTTP to a real server process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {

// The port in a server's "listening on HOST:PORT" log line, or 0 if there is none yet.
int listening_port(const std::string& output);

class FixtureServer {
 public:
  // Starts the fixture with FIXTURE_SCENARIO=`scenario` and waits for its listener.
  FixtureServer(const std::string& scenario, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {});

  int port() const { return port_; }
  ChildProcess& process() { return *child_; }
  // Waits until the log says start-up is over and the server is serving.
  bool wait_until_serving(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  TempDir data_;  // the server's SQLite database lives here unless NETRA_DATABASE_URL is given
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

}  // namespace netra::testing
