// The `analytics.*` configuration keys as the analytics layer's settings and the ingest limits
// of POST /api/workloads/events.
#pragma once

#include "analytics/analytics_component.hpp"
#include "analytics/ingest_gate.hpp"
#include "app/config.hpp"

namespace netra::app {

analytics::AnalyticsSettings analytics_settings(const Config& config);
analytics::IngestLimits ingest_limits(const Config& config);

}  // namespace netra::app
