// PostgresDriver: PostgreSQL through libpq's non-blocking API (PQconnectStart/PQconnectPoll,
// PQsendQueryParams, PQconsumeInput) driven by Asio on the connection's socket, so no event
// loop ever blocks; our own connect deadline and a server-side statement_timeout.
#pragma once

#include <chrono>
#include <string>

#include "db/detail/driver.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::db::detail {

struct PostgresOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds statement_timeout{30000};
};

class PostgresDriver final : public Driver {
 public:
  // `conninfo`: a postgres:// URL or a libpq keyword string, as libpq accepts it.
  PostgresDriver(std::string conninfo, PostgresOptions options, core::OffloadPool& offload);

  asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>> connect(
      core::Deadline deadline) override;
  std::string name() const override { return "postgres"; }
  std::string begin_statement() const override { return "BEGIN"; }
  std::string describe() const override;

 private:
  std::string conninfo_;
  PostgresOptions options_;
  core::OffloadPool& offload_;
};

}  // namespace netra::db::detail
