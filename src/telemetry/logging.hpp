// Logging: one logger per component over shared sinks — readable lines on a terminal, JSON lines
// otherwise. Every line names the component it is about.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netra::telemetry {

enum class LogFormat { text, json };

// "auto" picks text when standard error is a terminal, JSON lines otherwise.
LogFormat resolve_log_format(std::string_view setting);

// Configures the sinks (standard error) and the level ("trace" ... "error"). Call once, early;
// loggers made before keep working with the new settings.
void init_logging(LogFormat format, std::string_view level);

// The logger for a component or subsystem ("engine", "database", "api"); thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

// A warning or error logged lately, as the /status page lists them.
struct LoggedProblem {
  double unix_seconds = 0;
  std::string level;   // "warning", "error", "critical"
  std::string logger;  // the component or subsystem
  std::string message;
};
// The last warnings and errors of the process (at most 50), oldest first: every logger also
// writes warnings and worse to a ring in memory.
std::vector<LoggedProblem> recent_problems();

}  // namespace netra::telemetry
