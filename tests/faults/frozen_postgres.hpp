// FrozenPostgres: every process of the test PostgreSQL cluster (the postmaster and each backend)
// stopped with SIGSTOP — open connections stay open and nothing answers, as when the host hangs —
// and continued again, at the latest when this object goes. Tests run one at a time (ctest -j1),
// so no other suite sees the shared server frozen.
#pragma once

#include <string>
#include <vector>

namespace netra::testing {

class FrozenPostgres {
 public:
  // `cluster_dir`: TEST_POSTGRES_DIR (its data/postmaster.pid names the postmaster).
  explicit FrozenPostgres(std::string cluster_dir) : dir_(std::move(cluster_dir)) {}
  ~FrozenPostgres() { thaw(); }
  FrozenPostgres(const FrozenPostgres&) = delete;
  FrozenPostgres& operator=(const FrozenPostgres&) = delete;

  // Stops the postmaster and then each of its children; false if the postmaster is not found.
  bool freeze();
  // Continues them (children first, so the postmaster sees no stale state); safe to repeat.
  void thaw();

 private:
  std::string dir_;
  std::vector<int> stopped_;
};

}  // namespace netra::testing
