#include "app/migrate_command.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>

#include "app/serve.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace netra::app {
namespace {

std::string format_time(int64_t unix_ms) {
  const std::time_t t = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

}  // namespace

int run_migrate(const Config& config, bool status_only) {
  namespace asio = boost::asio;
  core::EventLoops loops(1, std::chrono::milliseconds(50));
  core::OffloadPool offload(2);
  const auto& settings = config.settings().database;
  const auto opened_database = db::open_database(settings, offload);
  db::Database& database = *opened_database;
  loops.start();
  const auto deadline = core::Deadline::after(config.settings().process.startup_deadline);
  int code = kExitOk;
  std::cout << "database " << database.describe() << "\n";
  if (status_only) {
    auto status =
        asio::co_spawn(loops.context(0),
                       db::migration_status(database, db::embedded_migrations(), deadline),
                       asio::use_future)
            .get();
    if (!status) {
      std::cerr << "netra: " << status.error().message << "\n";
      code = kExitStartupFailed;
    } else {
      for (const auto& [m, at] : status->applied) {
        std::cout << fmt::format("applied  {}  {} UTC\n", m.name, format_time(at));
      }
      for (const auto& m : status->pending) std::cout << fmt::format("pending  {}\n", m.name);
    }
  } else {
    auto outcome =
        asio::co_spawn(loops.context(0),
                       db::apply_migrations(database, db::embedded_migrations(), deadline),
                       asio::use_future)
            .get();
    if (!outcome) {
      std::cerr << "netra: " << outcome.error().message << "\n";
      code = kExitStartupFailed;
    } else {
      for (const auto& name : outcome->applied) std::cout << "applied " << name << "\n";
      if (outcome->applied.empty()) std::cout << "nothing to apply; the schema is up to date\n";
    }
  }
  database.close_idle();
  offload.shutdown(std::chrono::milliseconds(1000));
  loops.stop(std::chrono::seconds(1));
  return code;
}

}  // namespace netra::app
