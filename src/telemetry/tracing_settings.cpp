#include "telemetry/tracing_settings.hpp"

namespace netra::telemetry {

std::string TracingSettings::traces_url() const {
  constexpr std::string_view kPath = "/v1/traces";
  std::string url = otlp_endpoint;
  if (url.ends_with(kPath)) return url;
  while (url.ends_with('/')) url.pop_back();
  return url + std::string(kPath);
}

const core::SettingsSchema<TracingSettings>& tracing_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<TracingSettings> s;
    s.key("tracing.otlp_endpoint", &TracingSettings::otlp_endpoint,
          {.fallback = "\"\"",
           .help = "empty: spans are not exported; else an OTLP/HTTP collector "
                   "(http://collector:4318), which gets them as JSON at <it>/v1/traces"})
        .key("tracing.sample_ratio", &TracingSettings::sample_ratio,
             {.fallback = "1.0",
              .min = 0,
              .max = 1,
              .help = "the share of traces started here that are recorded (0 to 1); a caller's "
                      "traceparent decides for the traces it continues"})
        .key("tracing.queue_size", &TracingSettings::queue_size,
             {.fallback = "4096",
              .min = 16,
              .max = 1000000,
              .help = "spans waiting for export; when full, new spans are dropped and counted "
                      "(netra_spans_dropped_total), never waited for"})
        .key("tracing.batch_size", &TracingSettings::batch_size,
             {.fallback = "512", .min = 1, .max = 10000, .help = "spans per export request"})
        .key("tracing.flush_interval_ms", &TracingSettings::flush_interval,
             {.fallback = "1000",
              .min = 10,
              .max = 60000,
              .help = "queued spans are sent this often (a full batch at once)"})
        .key("tracing.export_timeout_ms", &TracingSettings::export_timeout,
             {.fallback = "5000",
              .min = 100,
              .max = 60000,
              .help = "one export request may take this long; a collector that keeps failing is "
                      "left alone for 10 s (its spans are dropped and counted)"});
    s.check([](const TracingSettings& settings, const core::ConfigValues& values,
               std::vector<std::string>& problems) {
      const auto& url = settings.otlp_endpoint;
      if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
        problems.push_back("tracing.otlp_endpoint (from " + values.source("tracing.otlp_endpoint") +
                           ") is not an http:// or "
                           "https:// URL");
      }
    });
    return s;
  }();
  return schema;
}

}  // namespace netra::telemetry
