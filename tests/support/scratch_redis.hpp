// ScratchRedis: a Redis server of this test's own (Debian's redis-server, loopback, a throwaway
// folder, a password, no persistence), for cases that freeze, restart or kill it — which the
// shared server scripts/test starts must never see.
#pragma once

#include <memory>
#include <string>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {

class ScratchRedis {
 public:
  // Starts it and waits until it accepts connections (fails the test after 10 s).
  explicit ScratchRedis(std::string password = "scratch-secret");
  ~ScratchRedis();

  // redis://:PASSWORD@127.0.0.1:PORT, or with another password.
  std::string url() const;
  std::string url_with_password(const std::string& password) const;
  std::string socket_path() const { return dir_.file("redis.sock"); }
  int port() const { return port_; }
  const std::string& password() const { return password_; }

  void freeze();  // SIGSTOP: connections stay open, nothing answers
  void thaw();    // SIGCONT
  void kill();    // SIGKILL: connections drop
  bool start();   // after kill(): again on the same port; false if it does not come up in 10 s
  // redis-cli against it, with its password: the output.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  TempDir dir_;
  std::string password_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace netra::testing
