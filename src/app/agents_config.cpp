#include "app/agents_config.hpp"

namespace netra::app {

agents::SupervisorOptions supervisor_options(const Config& config) {
  agents::SupervisorOptions options;
  options.max_concurrent_runs = static_cast<size_t>(config.integer("agents.max_concurrent_runs"));
  options.max_queued_runs = static_cast<size_t>(config.integer("agents.max_queued_runs"));
  options.run_timeout = std::chrono::milliseconds(config.integer("agents.run_timeout_ms"));
  return options;
}

}  // namespace netra::app
