// SqliteDriver: the embedded database (`sqlite:PATH`): WAL journal, one writer at a time (the
// Database queues writers for a write connection of their own, on the event loop), every call on
// threads of its own — one per connection, so a connection never waits for a thread — and
// deadlines enforced by interrupting the statement.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "db/detail/driver.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::db::detail {

class SqliteDriver final : public Driver {
 public:
  // The folder of `path` is created when missing. `connections`: the most the Database opens at
  // once (readers and writers), which is how many threads the driver starts. `busy_timeout`:
  // how long a statement waits for a lock held by another process (in this one, writers queue
  // before they reach SQLite), within its deadline.
  SqliteDriver(std::string path, size_t connections, std::chrono::milliseconds busy_timeout);
  ~SqliteDriver() override;

  asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>> connect(
      core::Deadline deadline) override;
  std::string name() const override { return "sqlite"; }
  std::string begin_statement() const override { return "BEGIN IMMEDIATE"; }
  size_t max_writers() const override { return 1; }
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  // Creates the file owner-only, or tightens an existing one; "" or why not. Runs its work once.
  std::string owner_only_file();

  std::string path_;
  std::mutex file_mutex_;
  bool file_ready_ = false;  // under file_mutex_
  // Shared with the connections, which may outlive the driver inside a pool being torn down.
  std::shared_ptr<core::OffloadPool> threads_;
  std::chrono::milliseconds busy_timeout_;
};

}  // namespace netra::db::detail
