// SqliteDriver: the embedded database (`sqlite:PATH`): WAL journal, a busy timeout, one writer at
// a time (BEGIN IMMEDIATE), every call on the offload pool, deadlines enforced by interrupting
// the statement.
#pragma once

#include <chrono>
#include <string>

#include "db/detail/driver.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::db::detail {

class SqliteDriver final : public Driver {
 public:
  // The folder of `path` is created when missing.
  SqliteDriver(std::string path, core::OffloadPool& offload,
               std::chrono::milliseconds busy_timeout);

  asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>> connect(
      core::Deadline deadline) override;
  std::string name() const override { return "sqlite"; }
  std::string begin_statement() const override { return "BEGIN IMMEDIATE"; }
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  std::string path_;
  core::OffloadPool& offload_;
  std::chrono::milliseconds busy_timeout_;
};

}  // namespace netra::db::detail
