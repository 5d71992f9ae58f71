// ProcessStats: what the kernel says about this process — resident memory, open file
// descriptors, CPU seconds — read from /proc for the metrics endpoint and benchmarks.
#pragma once

#include <cstdint>

namespace netra::telemetry {

struct ProcessStats {
  uint64_t resident_bytes = 0;
  uint64_t open_fds = 0;
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // since the Unix epoch

  static ProcessStats read_self();
};

}  // namespace netra::telemetry
