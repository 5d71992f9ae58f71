#include "telemetry/monitoring_settings.hpp"

namespace netra::telemetry {

const core::SettingsSchema<MonitoringSettings>& monitoring_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<MonitoringSettings> s;
    s.key("monitoring.enabled", &MonitoringSettings::enabled,
          {.fallback = "true",
           .help = "false: no warning checks, no dependency latency histograms, no event-loop "
                   "lag samples (to measure what they cost)"})
        .key(
            "monitoring.check_interval_ms", &MonitoringSettings::check_interval,
            {.fallback = "5000",
             .min = 100,
             .max = 3600000,
             .help = "the warning checks (loop lag, pool wait, 5xx rate, free disk, open breakers) "
                     "run this often"})
        .key("monitoring.loop_lag_warn_ms", &MonitoringSettings::loop_lag_warn,
             {.fallback = "100",
              .min = 0,
              .max = 600000,
              .help = "warn when an event loop's worst lag of the last 10 to 20 s is over this; "
                      "0 = never"})
        .key("monitoring.pool_wait_warn_ms", &MonitoringSettings::pool_wait_warn,
             {.fallback = "500",
              .min = 0,
              .max = 600000,
              .help = "warn when a call waited longer than this for a database connection in the "
                      "last interval; 0 = never"})
        .key("monitoring.error_rate_warn", &MonitoringSettings::error_rate_warn,
             {.fallback = "0.05",
              .min = 0,
              .max = 1,
              .help = "warn when more than this share of the answers of one interval were 5xx "
                      "(0 to 1); 0 = never"})
        .key("monitoring.error_rate_min_requests", &MonitoringSettings::error_rate_min_requests,
             {.fallback = "20",
              .min = 1,
              .max = 1000000000,
              .help = "an interval with fewer answers than this gives no verdict on the 5xx rate"})
        .key("monitoring.disk_free_warn_mb", &MonitoringSettings::disk_free_warn_mb,
             {.fallback = "1024",
              .min = 0,
              .max = 1000000000,
              .help = "warn when the file system of the SQLite database has less free space than "
                      "this (MiB); 0 = never"})
        .key("monitoring.webhook_url", &MonitoringSettings::webhook_url,
             {.fallback = "\"\"",
              .help = "empty: none; else each warning raised or cleared is POSTed there as JSON, "
                      "retried with backoff, never waited for"})
        .key("monitoring.webhook_timeout_ms", &MonitoringSettings::webhook_timeout,
             {.fallback = "5000",
              .min = 100,
              .max = 60000,
              .help = "one webhook request may take this long"});
    s.check([](const MonitoringSettings& settings, const core::ConfigValues& values,
               std::vector<std::string>& problems) {
      const auto& url = settings.webhook_url;
      if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
        problems.push_back("monitoring.webhook_url (from " +
                           values.source("monitoring.webhook_url") +
                           ") is not an http:// or https:// URL");
      }
    });
    return s;
  }();
  return schema;
}

}  // namespace netra::telemetry
