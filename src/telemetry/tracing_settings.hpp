// TracingSettings: the `tracing.*` keys — where spans go (an OTLP/HTTP collector), which share of
// new traces is sampled, and the exporter's queue, batches and timeouts.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/settings_schema.hpp"

namespace netra::telemetry {

struct TracingSettings {
  // Empty: spans are not exported (trace context is still continued and answered). Else the
  // collector's OTLP/HTTP base URL (http://collector:4318); spans go to <it>/v1/traces.
  std::string otlp_endpoint;
  double sample_ratio = 1.0;  // of the traces started here; a caller's traceparent decides its own
  size_t queue_size = 4096;
  size_t batch_size = 512;
  std::chrono::milliseconds flush_interval{1000};
  std::chrono::milliseconds export_timeout{5000};

  // <otlp_endpoint>/v1/traces, unless the endpoint already names that path.
  std::string traces_url() const;
};

const core::SettingsSchema<TracingSettings>& tracing_settings_schema();

}  // namespace netra::telemetry
