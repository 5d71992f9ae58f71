// A migrated database of one test's own, on the backend the test is parameterised with: a file in
// the test's folder for "sqlite", a fresh database on the TEST_POSTGRES_URL server for "postgres"
// (ScratchPostgresDatabase, dropped afterwards) — what the store suites set up before each test.
// Header-only: the suites that use it link netra_db already; the support library does not.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"
#include "db/migrations.hpp"
#include "support/run_awaitable.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/temp_dir.hpp"

namespace netra::testing {

// `backend` is "sqlite" or "postgres"; `name` names the file or the scratch database; `pool_max`
// 0 keeps the default pool; `below_version` > 0 applies only the migrations before it (a test of a
// later migration on rows written before it). Throws std::runtime_error when migrating fails.
// Neither copied nor moved (the scratch database is dropped where it was made): a fixture holds it
// in an optional.
class MigratedDatabase {
 public:
  MigratedDatabase(const std::string& backend, const TempDir& dir, const std::string& name,
                   core::OffloadPool& offload, core::EventLoops& loops, size_t pool_max = 0,
                   int below_version = 0) {
    db::DatabaseSettings settings;
    if (pool_max > 0) settings.pool.max_size = pool_max;
    if (backend == "postgres") {
      scratch_.emplace("netra_" + name);
      settings.url = scratch_->url();
    } else {
      settings.url = "sqlite:" + dir.file(name + ".db");
    }
    url_ = settings.url;
    db_ = db::open_database(settings, offload);
    std::vector<db::Migration> migrations;
    for (const auto& m : db::embedded_migrations()) {
      if (below_version <= 0 || m.version < below_version) migrations.push_back(m);
    }
    auto migrated = run_awaitable(
        loops.context(0).get_executor(),
        db::apply_migrations(*db_, migrations, core::Deadline::after(std::chrono::seconds(30))),
        std::chrono::seconds(60));
    if (!migrated) {
      throw std::runtime_error("migrating " + settings.url + ": " + migrated.error().message);
    }
  }
  ~MigratedDatabase() {
    if (db_) db_->close_idle();
  }

  db::Database& db() { return *db_; }
  // Where it is, for another pool on the same database (a second instance).
  const std::string& url() const { return url_; }

 private:
  std::optional<ScratchPostgresDatabase> scratch_;  // declared first: outlives db_
  std::string url_;
  std::unique_ptr<db::Database> db_;
};

}  // namespace netra::testing
