#include "tasks/tasks_settings.hpp"

namespace netra::tasks {

const core::SettingsSchema<TaskSettings>& task_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<TaskSettings> s;
    s.key("tasks.workers", &TaskSettings::workers,
          {.fallback = "2",
           .min = 1,
           .max = 64,
           .help = "background jobs run at once on this instance"})
        .key("tasks.poll_interval_ms", &TaskSettings::poll_interval,
             {.fallback = "1000",
              .min = 10,
              .max = 60000,
              .help = "an idle worker looks for queued jobs this often (a job queued here starts "
                      "at once)"})
        .key("tasks.lease_ms", &TaskSettings::lease,
             {.fallback = "30000",
              .min = 1000,
              .max = 3600000,
              .help = "a running job's lease, renewed every third of it; a job whose instance "
                      "died is taken over once its lease expired"})
        .key("tasks.run_step_retention_days", &TaskSettings::run_step_retention_days,
             {.fallback = "90",
              .min = 0,
              .max = 36500,
              .help = "the steps of agent runs that finished longer ago than this are deleted "
                      "daily (the runs stay); 0 keeps them forever"})
        .key("tasks.finished_job_retention_days", &TaskSettings::finished_job_retention_days,
             {.fallback = "7",
              .min = 0,
              .max = 36500,
              .help = "background jobs that ended (succeeded, failed, cancelled, dead) longer "
                      "ago than this are deleted hourly, with their results; 0 keeps them "
                      "forever"});
    return s;
  }();
  return schema;
}

}  // namespace netra::tasks
