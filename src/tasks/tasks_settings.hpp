// TaskSettings: the `tasks.*` keys — how many jobs this instance runs at once, how often an idle
// worker looks for work, and how long a claimed job's lease lasts.
#pragma once

#include <chrono>
#include <cstddef>

#include "core/settings_schema.hpp"

namespace netra::tasks {

struct TaskSettings {
  size_t workers = 2;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds lease{30000};
};

const core::SettingsSchema<TaskSettings>& task_settings_schema();

}  // namespace netra::tasks
