// ProcessSettings: what the process itself reads from configuration — which components start,
// where it runs, its threads, deadlines and drain, its log — and the keys that fill it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/component_graph.hpp"
#include "core/settings_schema.hpp"

namespace netra::app {

// Only ever read through its schema: the defaults are the keys' (process_settings_schema), not
// written here a second time.
struct ProcessSettings {
  std::string profile;                // full | minimal
  std::string environment;            // development | staging | production
  std::vector<std::string> disabled;  // components not to start
  size_t threads = 0;                 // event loops; 0 = one per usable core but one
  std::chrono::milliseconds drain_delay{};
  std::chrono::milliseconds drain_timeout{};
  std::chrono::milliseconds startup_deadline{};
  std::chrono::milliseconds watchdog_threshold{};
  size_t offload_threads = 0;
  std::string log_format;
  std::string log_level;
  uint16_t auth_port = 0;  // where `netra auth` listens

  bool production() const { return environment == "production"; }
  // The profile, with the disabled components.
  core::Profile engine_profile() const;
};

const core::SettingsSchema<ProcessSettings>& process_settings_schema();

}  // namespace netra::app
