#include "app/analytics_config.hpp"

namespace netra::app {

analytics::AnalyticsSettings analytics_settings(const Config& config) {
  analytics::AnalyticsSettings s;
  s.clickhouse.url = config.string("analytics.url");
  s.clickhouse.user = config.string("analytics.user");
  s.clickhouse.password = config.string("analytics.password");
  s.clickhouse.database = config.string("analytics.database");
  s.clickhouse.ttl_days = static_cast<int>(config.integer("analytics.ttl_days"));
  s.call_timeout = std::chrono::milliseconds(config.integer("analytics.timeout_ms"));
  return s;
}

analytics::IngestLimits ingest_limits(const Config& config) {
  analytics::IngestLimits limits;
  limits.events_per_second =
      static_cast<double>(config.integer("analytics.ingest_events_per_second"));
  limits.burst_events = static_cast<double>(config.integer("analytics.ingest_burst_events"));
  limits.queue_events = static_cast<size_t>(config.integer("analytics.ingest_queue_events"));
  limits.body_bytes = static_cast<size_t>(config.integer("analytics.ingest_body_bytes"));
  return limits;
}

}  // namespace netra::app
