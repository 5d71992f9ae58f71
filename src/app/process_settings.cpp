#include "app/process_settings.hpp"

namespace netra::app {

core::Profile ProcessSettings::engine_profile() const {
  core::Profile out;
  out.kind = profile == "minimal" ? core::Profile::Kind::minimal : core::Profile::Kind::full;
  out.disabled.insert(disabled.begin(), disabled.end());
  return out;
}

const core::SettingsSchema<ProcessSettings>& process_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<ProcessSettings> s;
    s.key("profile", &ProcessSettings::profile,
          {.fallback = "\"full\"",
           .choices = {"full", "minimal"},
           .help =
               "which components start: full = all, minimal = critical ones and what they require"})
        .key("environment", &ProcessSettings::environment,
             {.fallback = "\"development\"",
              .choices = {"development", "staging", "production"},
              .help = "where this instance runs; production refuses development-only switches"})
        .key("disabled", &ProcessSettings::disabled,
             {.fallback = "[]",
              .help = "components not to start (also DISABLED_COMPONENTS=a,b and --disable a,b)"})
        .key("server.threads", &ProcessSettings::threads,
             {.fallback = "0",
              .min = 0,
              .max = 256,
              .help = "event-loop threads; 0 = one per usable core but one (at least one)"})
        .key("server.drain_delay_ms", &ProcessSettings::drain_delay,
             {.fallback = "0",
              .min = 0,
              .max = 600000,
              .help = "after SIGTERM, keep serving this long (readiness already 503) so load "
                      "balancers notice"})
        .key("server.drain_timeout_ms", &ProcessSettings::drain_timeout,
             {.fallback = "10000",
              .min = 0,
              .max = 600000,
              .help = "then let in-flight requests finish for at most this long"})
        .key("auth.port", &ProcessSettings::auth_port,
             {.fallback = "8081",
              .min = 0,
              .max = 65535,
              .help = "the port `netra auth` listens on (0 picks a free one)"})
        .key("startup.deadline_ms", &ProcessSettings::startup_deadline,
             {.fallback = "60000",
              .min = 1,
              .max = 3600000,
              .help = "the whole start-up may not take longer; what is still pending is treated by "
                      "criticality"})
        .key("watchdog.threshold_ms", &ProcessSettings::watchdog_threshold,
             {.fallback = "250",
              .min = 10,
              .max = 60000,
              .help =
                  "an event loop that does not turn for this long is logged with what ran on it"})
        .key("offload.threads", &ProcessSettings::offload_threads,
             {.fallback = "4",
              .min = 1,
              .max = 256,
              .help = "threads for blocking calls (SQLite, password hashing), never run on an "
                      "event loop"})
        .key("log.format", &ProcessSettings::log_format,
             {.fallback = "\"auto\"",
              .choices = {"auto", "text", "json"},
              .help = "auto = readable text on a terminal, JSON lines otherwise"})
        .key("log.level", &ProcessSettings::log_level,
             {.fallback = "\"info\"",
              .choices = {"trace", "debug", "info", "warn", "error"},
              .help = "least severe level that is logged"});
    return s;
  }();
  return schema;
}

}  // namespace netra::app
