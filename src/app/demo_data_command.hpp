// `netra demo-data`: creates (or reuses) an account and writes synthetic workload events for it
// through the configured analytics store, so a new user gets a meaningful report at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.hpp"

namespace netra::app {

struct DemoDataOptions {
  std::string email;
  int days = 30;
  size_t events = 10000;
  uint64_t seed = 1;
  std::string template_id = "demo";  // a workload template (GET /api/generation/templates)
};

// Shows its progress as it writes: a bar redrawn in place when standard output is a terminal,
// a line per batch otherwise. Returns the exit code: 0 done, 2 a bad option, 3 the database or
// ClickHouse failed (the message says which and why).
int run_demo_data(const Config& config, const DemoDataOptions& options);

}  // namespace netra::app
