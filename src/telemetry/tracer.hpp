// Tracer: where the process's finished spans go — the tracing component's exporter while it
// runs, nowhere before it starts or after it stops. Thread-safe; with nothing attached a request
// pays one relaxed load of a flag.
#pragma once

#include <atomic>
#include <memory>

#include "telemetry/span.hpp"

namespace netra::telemetry {

class SpanExporter;

class Tracer {
 public:
  void attach(std::shared_ptr<SpanExporter> exporter);
  void detach();
  bool recording() const;
  // Hands the span to the exporter (which may drop it, counted); nothing when none is attached.
  void record(Span span) const;

 private:
  std::atomic<std::shared_ptr<SpanExporter>> exporter_;
  // Read on every request: cheaper than loading the shared pointer, which takes a lock.
  std::atomic<bool> recording_{false};
};

}  // namespace netra::telemetry
