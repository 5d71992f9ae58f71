// How many cores this process may use, and how many event loops that makes by default.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace netra::core {

// Cores the process may run on: those of its CPU affinity mask, capped by its cgroup's CPU quota
// (cgroup v2 `cpu.max`, rounded up) when one is set — a container limited to 1.5 CPUs on a
// 32-core host gets 2, not 32. At least 1.
size_t usable_cores();

// The cores a cgroup v2 `cpu.max` line ("QUOTA PERIOD", or "max PERIOD" for no limit) allows,
// rounded up; nullopt when there is no limit or the line does not parse.
std::optional<size_t> cores_from_cpu_max(std::string_view line);

// Event loops when `server.threads` is 0: one per usable core but one, at least one. The core
// left over runs what the loops hand off (SQLite, password hashing, the kernel's share of the
// network) — and on a machine shared with the client or the database, a loop per core makes
// loops and their peers preempt each other mid-request: on 2 cores, wrk with 2 loops gives 0.68
// of nginx's /health/live rate with a p99 8-10x nginx's, with 1 loop 0.90 and 1.5-2.3x.
size_t default_event_loops(size_t usable_cores);

}  // namespace netra::core
