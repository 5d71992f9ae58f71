// ChildProcess: runs a program with arguments and environment, captures its output, and waits for
// it under a deadline (killing it if the deadline passes) — for tests of whole binaries.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace netra::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; `env` is added to (and overrides) this process's environment.
  // Standard output and standard error are captured together.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~ChildProcess();  // kills the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads output until `text` appears or the deadline passes; true if it appeared.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds deadline);
  // Waits for exit; nullopt (after SIGKILL) if it did not exit within the deadline.
  std::optional<int> wait(std::chrono::milliseconds deadline);
  void signal(int sig);

  std::string output() const;
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  // A reader thread drains the pipe all the time, so a chatty child never blocks on its logs.
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
  std::optional<int> exit_code_;
};

struct Finished {
  int exit_code = -1;  // -1 if it had to be killed
  std::string output;
  double elapsed_ms = 0;
};

// Runs to completion under a deadline.
Finished run_process(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                     std::chrono::milliseconds deadline = std::chrono::seconds(30));

}  // namespace netra::testing
