#include "core/cpu_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "core/parse_number.hpp"

namespace netra::core {

namespace {
size_t affinity_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

// The cgroup v2 path of this process ("0::/system.slice/netra.service" → that path), if any.
std::optional<std::string> own_cgroup() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return std::nullopt;
}

std::optional<size_t> quota_cores() {
  const auto cgroup = own_cgroup();
  if (!cgroup) return std::nullopt;
  std::ifstream in("/sys/fs/cgroup" + *cgroup + "/cpu.max");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return cores_from_cpu_max(line);
}

}  // namespace

std::optional<size_t> cores_from_cpu_max(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota =
      parse_whole_integer<uint64_t>(line.substr(0, space));  // "max" (no limit) does not parse
  const auto period = parse_whole_integer<uint64_t>(line.substr(space + 1));
  if (!quota || !period || *period == 0 || *quota == 0) return std::nullopt;
  return std::max<size_t>(1, (*quota + *period - 1) / *period);
}

size_t usable_cores() {
  size_t cores = affinity_cores();
  if (const auto quota = quota_cores()) cores = std::min(cores, *quota);
  return std::max<size_t>(cores, 1);
}

size_t default_event_loops(size_t usable_cores) {
  return usable_cores > 1 ? usable_cores - 1 : 1;
}

}  // namespace netra::core
