#include "telemetry/tracer.hpp"

#include "telemetry/span_exporter.hpp"

namespace netra::telemetry {

void Tracer::attach(std::shared_ptr<SpanExporter> exporter) {
  const bool any = exporter != nullptr;
  exporter_.store(std::move(exporter));
  recording_.store(any, std::memory_order_release);
}

void Tracer::detach() {
  recording_.store(false, std::memory_order_release);
  exporter_.store(nullptr);
}

bool Tracer::recording() const {
  return recording_.load(std::memory_order_relaxed);
}

void Tracer::record(Span span) const {
  if (auto exporter = exporter_.load()) exporter->submit(std::move(span));
}

}  // namespace netra::telemetry
