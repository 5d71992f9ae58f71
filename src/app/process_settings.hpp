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

struct ProcessSettings {
  std::string profile = "full";  // full | minimal
  std::string environment = "development";
  std::vector<std::string> disabled;  // components not to start
  size_t threads = 0;                 // event loops; 0 = one per core
  std::chrono::milliseconds drain_delay{0};
  std::chrono::milliseconds drain_timeout{10000};
  std::chrono::milliseconds startup_deadline{60000};
  std::chrono::milliseconds watchdog_threshold{250};
  size_t offload_threads = 4;
  std::string log_format = "auto";
  std::string log_level = "info";
  uint16_t auth_port = 8081;  // where `netra auth` listens

  bool production() const { return environment == "production"; }
  // The profile, with the disabled components.
  core::Profile engine_profile() const;
};

const core::SettingsSchema<ProcessSettings>& process_settings_schema();

}  // namespace netra::app
