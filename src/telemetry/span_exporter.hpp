// SpanExporter: sends finished spans to an OTLP collector in batches, from a bounded queue. A
// request never waits for it: submit() takes the span or, with the queue full, drops and counts
// it. An unreachable or failing collector opens a breaker, and spans are then dropped (counted)
// without a call until a probe succeeds — tracing costs requests nothing when the collector is
// gone. The transport (an HTTP POST to /v1/traces) is given by whoever owns the HTTP client.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/deadline.hpp"
#include "telemetry/otlp_json.hpp"
#include "telemetry/span.hpp"

namespace netra::telemetry {

namespace asio = boost::asio;

struct SpanExporterOptions {
  size_t queue_capacity = 4096;  // spans waiting; beyond, new ones are dropped
  size_t batch_size = 512;       // spans per request
  std::chrono::milliseconds flush_interval{1000};
  std::chrono::milliseconds export_timeout{5000};  // one request to the collector
};

class SpanExporter : public std::enable_shared_from_this<SpanExporter> {
 public:
  // Posts one OTLP/HTTP JSON body within the deadline: "" when the collector took it (2xx),
  // else what went wrong (for the log; never the body).
  using Transport = std::function<asio::awaitable<std::string>(std::string body, core::Deadline)>;

  SpanExporter(asio::any_io_executor executor, Transport transport, TraceResource resource,
               SpanExporterOptions options);

  // Thread-safe and never waits: false when the span was dropped because the queue is full.
  bool submit(Span span);

  // Starts the batch loop on the executor; again after stop().
  void start();
  // Sends what is queued (within `deadline`), then ends the loop; spans submitted later are
  // dropped.
  asio::awaitable<void> stop(core::Deadline deadline);

  struct Counts {
    uint64_t exported = 0;
    uint64_t dropped_queue_full = 0;
    uint64_t dropped_breaker_open = 0;
    uint64_t dropped_export_failed = 0;
    size_t queued = 0;
  };
  Counts counts() const;
  const core::CircuitBreaker& breaker() const { return breaker_; }

 private:
  asio::awaitable<void> run();
  // Sends everything queued now, batch by batch (or drops it while the breaker is open).
  asio::awaitable<void> export_queued(core::Deadline deadline);
  std::vector<Span> take_batch();

  asio::any_io_executor executor_;
  Transport transport_;
  TraceResource resource_;
  SpanExporterOptions options_;
  core::CircuitBreaker breaker_;
  asio::steady_timer timer_;

  mutable std::mutex mutex_;
  std::vector<Span> queue_;
  bool stopped_ = false;

  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_queue_full_{0};
  std::atomic<uint64_t> dropped_breaker_open_{0};
  std::atomic<uint64_t> dropped_export_failed_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failing_{false};  // the last export failed (logged once per outage)
};

}  // namespace netra::telemetry
