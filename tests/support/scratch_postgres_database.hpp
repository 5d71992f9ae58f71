// ScratchPostgresDatabase: a database of its own on the test PostgreSQL server (TEST_POSTGRES_URL),
// created empty and dropped afterwards, so a test that migrates and writes leaves the shared
// database as it found it.
#pragma once

#include <string>

namespace netra::testing {

class ScratchPostgresDatabase {
 public:
  // Throws std::runtime_error when TEST_POSTGRES_URL is unset or psql fails.
  explicit ScratchPostgresDatabase(const std::string& name);
  ~ScratchPostgresDatabase();
  ScratchPostgresDatabase(const ScratchPostgresDatabase&) = delete;
  ScratchPostgresDatabase& operator=(const ScratchPostgresDatabase&) = delete;

  const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace netra::testing
