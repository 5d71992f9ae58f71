#include "telemetry/tracing_component.hpp"

#include <boost/asio/this_coro.hpp>

#include "telemetry/logging.hpp"

namespace netra::telemetry {

core::ComponentSpec TracingComponent::make_spec() {
  return {kName, core::Criticality::low, {}};
}

TracingComponent::TracingComponent(core::ComponentSpec spec, TracingSettings settings,
                                   TraceResource resource, SpanExporter::Transport transport,
                                   Tracer& tracer, core::HealthRegistry& health)
    : core::Component(std::move(spec)),
      settings_(std::move(settings)),
      resource_(std::move(resource)),
      transport_(std::move(transport)),
      tracer_(tracer),
      health_(health) {}

asio::awaitable<core::Status> TracingComponent::start(core::LifecycleContext&) {
  auto log = logger(kName);
  if (settings_.otlp_endpoint.empty()) {
    log->info("tracing.otlp_endpoint is empty: spans are not exported");
    co_return core::Status::ok();
  }
  // One exporter for the component's life (a restart starts it again): the registry keeps a
  // pointer to its breaker.
  if (!exporter_) {
    const auto executor = co_await asio::this_coro::executor;
    exporter_ = std::make_shared<SpanExporter>(
        executor, transport_, resource_,
        SpanExporterOptions{.queue_capacity = settings_.queue_size,
                            .batch_size = settings_.batch_size,
                            .flush_interval = settings_.flush_interval,
                            .export_timeout = settings_.export_timeout});
    // The registry keeps what it is given for the process's life: read through a weak pointer.
    std::weak_ptr<SpanExporter> weak = exporter_;
    auto counts = [weak] {
      auto exporter = weak.lock();
      return exporter ? exporter->counts() : SpanExporter::Counts{};
    };
    health_.add_breaker(exporter_->breaker(), false);
    health_.add_family(
        {"netra_spans_exported_total", "Spans the OTLP collector accepted", "", true, [counts] {
           return std::vector<core::HealthRegistry::Series>{
               {"", static_cast<double>(counts().exported)}};
         }});
    health_.add_family(
        {"netra_spans_dropped_total",
         "Spans not exported, by reason: queue_full (tracing.queue_size), breaker_open (the "
         "collector kept failing), export_failed (the collector refused or did not answer)",
         "reason", true, [counts] {
           const auto c = counts();
           return std::vector<core::HealthRegistry::Series>{
               {"queue_full", static_cast<double>(c.dropped_queue_full)},
               {"breaker_open", static_cast<double>(c.dropped_breaker_open)},
               {"export_failed", static_cast<double>(c.dropped_export_failed)}};
         }});
    health_.add_family({"netra_spans_queued", "Spans waiting for export", "", false, [counts] {
                          return std::vector<core::HealthRegistry::Series>{
                              {"", static_cast<double>(counts().queued)}};
                        }});
  }
  exporter_->start();
  tracer_.attach(exporter_);
  log->info("exporting spans to {} (sampling {} of new traces)", settings_.traces_url(),
            settings_.sample_ratio);
  co_return core::Status::ok();
}

asio::awaitable<core::Status> TracingComponent::stop(core::LifecycleContext& ctx) {
  tracer_.detach();
  if (exporter_) {
    // What is queued goes now, within the stop's own time.
    co_await exporter_->stop(core::Deadline::after(ctx.timeout - ctx.timeout / 10));
  }
  co_return core::Status::ok();
}

}  // namespace netra::telemetry
