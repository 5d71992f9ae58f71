// TracingComponent (`tracing`, low): exports the process's spans to the OTLP collector of
// tracing.otlp_endpoint. It starts without contacting the collector (spans wait in the queue, and
// a collector that is down only drops them, counted): tracing never holds start-up or a request.
// Without an endpoint it is ready and exports nothing. Publishes netra_spans_exported_total,
// netra_spans_dropped_total{reason} and netra_spans_queued, and the collector's breaker.
#pragma once

#include <memory>

#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "telemetry/span_exporter.hpp"
#include "telemetry/tracer.hpp"
#include "telemetry/tracing_settings.hpp"

namespace netra::telemetry {

class TracingComponent final : public core::Component {
 public:
  static constexpr const char* kName = "tracing";
  static core::ComponentSpec make_spec();

  // `transport` posts to settings.traces_url(); unused without an endpoint.
  TracingComponent(core::ComponentSpec spec, TracingSettings settings, TraceResource resource,
                   SpanExporter::Transport transport, Tracer& tracer, core::HealthRegistry& health);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  TracingSettings settings_;
  TraceResource resource_;
  SpanExporter::Transport transport_;
  Tracer& tracer_;
  core::HealthRegistry& health_;
  std::shared_ptr<SpanExporter> exporter_;
};

}  // namespace netra::telemetry
