// TaskSettings: the `tasks.*` keys — how many jobs this instance runs at once, how often an idle
// worker looks for work, how long a claimed job's lease lasts, and how long the steps of finished
// runs are kept (the run_step_cleanup schedule).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/settings_schema.hpp"

namespace netra::tasks {

struct TaskSettings {
  size_t workers = 2;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds lease{30000};
  int64_t run_step_retention_days = 90;     // 0: kept forever
  int64_t finished_job_retention_days = 7;  // 0: kept forever
};

const core::SettingsSchema<TaskSettings>& task_settings_schema();

}  // namespace netra::tasks
