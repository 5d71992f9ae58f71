#include "telemetry/process_stats.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace netra::telemetry {

ProcessStats ProcessStats::read_self() {
  ProcessStats stats;
  {
    std::ifstream statm("/proc/self/statm");
    uint64_t size = 0, resident = 0;
    if (statm >> size >> resident) {
      stats.resident_bytes = resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++stats.open_fds;
    }
    closedir(dir);
    if (stats.open_fds > 0) --stats.open_fds;  // the descriptor opendir itself holds
  }
  std::ifstream stat_file("/proc/self/stat");
  std::string line;
  if (std::getline(stat_file, line)) {
    // Fields after the command name (which may hold spaces) start after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0, start_ticks = 0;
    for (int i = 3; i <= 22 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
      if (i == 22) start_ticks = std::stoull(field);
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    stats.cpu_seconds = static_cast<double>(utime + stime) / ticks;
    std::ifstream uptime_file("/proc/uptime");
    double uptime = 0;
    if (uptime_file >> uptime) {
      const double boot = static_cast<double>(time(nullptr)) - uptime;
      stats.start_time_seconds = boot + static_cast<double>(start_ticks) / ticks;
    }
  }
  return stats;
}

}  // namespace netra::telemetry
