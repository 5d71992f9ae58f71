#include "support/scratch_postgres_database.hpp"

#include <unistd.h>

#include <stdexcept>

#include "support/child_process.hpp"

namespace netra::testing {

ScratchPostgresDatabase::ScratchPostgresDatabase(const std::string& name) {
  const char* url = std::getenv("TEST_POSTGRES_URL");
  if (url == nullptr) throw std::runtime_error("TEST_POSTGRES_URL is not set");
  admin_url_ = url;
  name_ = name + "_" + std::to_string(::getpid());
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
  run_process({"/usr/bin/psql", admin_url_, "-qc", "DROP DATABASE IF EXISTS " + name_});
  auto created = run_process({"/usr/bin/psql", admin_url_, "-qc", "CREATE DATABASE " + name_});
  if (created.exit_code != 0) throw std::runtime_error("CREATE DATABASE: " + created.output);
}

ScratchPostgresDatabase::~ScratchPostgresDatabase() {
  run_process(
      {"/usr/bin/psql", admin_url_, "-qc", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"});
}

}  // namespace netra::testing
