// The analytics layer's configuration keys: the store's and the ingest limits'.
#include "analytics/analytics_component.hpp"
#include "analytics/ingest_gate.hpp"

namespace netra::analytics {

const core::SettingsSchema<AnalyticsSettings>& analytics_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<AnalyticsSettings> s;
    s.key("analytics.url", [](AnalyticsSettings & s) -> auto& { return s.clickhouse.url; },
          {.fallback = "\"\"",
           .help = "empty: workload events are kept in the embedded store (the database); else "
                   "ClickHouse's HTTP interface (http://host:8123, or https://host:8443), with the "
                   "embedded store serving while it is down"})
        .key("analytics.user", [](AnalyticsSettings & s) -> auto& { return s.clickhouse.user; },
             {.fallback = "\"default\"", .help = "the ClickHouse user"})
        .key("analytics.password",
             [](AnalyticsSettings & s) -> auto& { return s.clickhouse.password; },
             {.fallback = "\"\"",
              .help = "the ClickHouse password (set it with NETRA_ANALYTICS_PASSWORD, never in a "
                      "file); sent in a header, never logged"})
        .key("analytics.database",
             [](AnalyticsSettings & s) -> auto& { return s.clickhouse.database; },
             {.fallback = "\"netra\"",
              .help = "the ClickHouse database of the workload_events table, created when missing"})
        .key("analytics.ttl_days",
             [](AnalyticsSettings & s) -> auto& { return s.clickhouse.ttl_days; },
             {.fallback = "90",
              .min = 1,
              .max = 36500,
              .help = "ClickHouse keeps events at least this long; older monthly partitions are "
                      "dropped hourly"})
        .key("analytics.timeout_ms", &AnalyticsSettings::call_timeout,
             {.fallback = "5000",
              .min = 1,
              .max = 600000,
              .help = "each ClickHouse call may take this long; a read that takes longer is served "
                      "by the embedded store"});
    s.check([](const AnalyticsSettings& settings, const core::ConfigValues&,
               std::vector<std::string>& problems) {
      if (auto bad = check_settings(settings)) problems.push_back(*bad);
    });
    return s;
  }();
  return schema;
}

const core::SettingsSchema<IngestLimits>& ingest_limits_schema() {
  static const auto schema = [] {
    core::SettingsSchema<IngestLimits> s;
    s.key("analytics.ingest_events_per_second", &IngestLimits::events_per_second,
          {.fallback = "20000",
           .min = 1,
           .max = 100000000,
           .help = "workload events one user may send per second, on average; over it, 429 with "
                   "Retry-After"})
        .key("analytics.ingest_burst_events", &IngestLimits::burst_events,
             {.fallback = "100000",
              .min = 10000,
              .max = 100000000,
              .help = "workload events one user may send at once before the rate applies (at least "
                      "one batch)"})
        .key("analytics.ingest_queue_events", &IngestLimits::queue_events,
             {.fallback = "200000",
              .min = 10000,
              .max = 100000000,
              .help = "workload events being written at once on this instance, all users together; "
                      "beyond, 429"})
        .key("analytics.ingest_body_bytes", &IngestLimits::body_bytes,
             {.fallback = "67108864",
              .min = 1024,
              .max = 17179869184,
              .help = "bytes of POST /api/workloads/events bodies being read and parsed at once on "
                      "this instance, reserved from Content-Length before a body is read; beyond, "
                      "429 ingest_busy"});
    return s;
  }();
  return schema;
}

}  // namespace netra::analytics
