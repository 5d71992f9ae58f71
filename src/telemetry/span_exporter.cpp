#include "telemetry/span_exporter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/task_failures.hpp"
#include "telemetry/logging.hpp"

namespace netra::telemetry {

SpanExporter::SpanExporter(asio::any_io_executor executor, Transport transport,
                           TraceResource resource, SpanExporterOptions options)
    : executor_(std::move(executor)),
      transport_(std::move(transport)),
      resource_(std::move(resource)),
      options_(options),
      // A collector that fails half of 10 calls is left alone for 10 s, then probed.
      breaker_("otlp", core::BreakerOptions{.window = 10,
                                            .minimum_calls = 3,
                                            .failure_rate = 0.5,
                                            .open_duration = std::chrono::seconds(10),
                                            .half_open_probes = 1}),
      timer_(executor_) {
  queue_.reserve(options_.batch_size);
}

bool SpanExporter::submit(Span span) {
  bool wake = false;
  {
    const std::lock_guard lock(mutex_);
    if (stopped_ || queue_.size() >= options_.queue_capacity) {
      dropped_queue_full_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(span));
    wake = queue_.size() == options_.batch_size;
  }
  // A full batch goes at once rather than at the next tick (the timer is the loop's to touch).
  if (wake) {
    asio::post(executor_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->timer_.cancel();
    });
  }
  return true;
}

void SpanExporter::start() {
  stopping_ = false;
  {
    const std::lock_guard lock(mutex_);
    stopped_ = false;
  }
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->run(); },
      core::detached_reporting("the span exporter"));
}

std::vector<Span> SpanExporter::take_batch() {
  const std::lock_guard lock(mutex_);
  const size_t n = std::min(queue_.size(), options_.batch_size);
  std::vector<Span> batch(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  return batch;
}

asio::awaitable<void> SpanExporter::export_queued(core::Deadline deadline) {
  for (;;) {
    auto batch = take_batch();
    if (batch.empty()) co_return;
    if (!breaker_.allow()) {
      dropped_breaker_open_.fetch_add(batch.size(), std::memory_order_relaxed);
      continue;
    }
    const auto budget = core::Deadline::after(options_.export_timeout);
    const auto error = co_await transport_(otlp_trace_request(batch, resource_),
                                           budget.when() < deadline.when() ? budget : deadline);
    breaker_.record(error.empty());
    if (error.empty()) {
      exported_.fetch_add(batch.size(), std::memory_order_relaxed);
      if (failing_.exchange(false)) logger("tracing")->info("the collector takes spans again");
    } else {
      dropped_export_failed_.fetch_add(batch.size(), std::memory_order_relaxed);
      // Once per outage: a collector that is down would otherwise log every second.
      if (!failing_.exchange(true)) {
        logger("tracing")->warn("spans not exported ({} dropped): {}", batch.size(), error);
      }
    }
  }
}

asio::awaitable<void> SpanExporter::run() {
  while (!stopping_.load()) {
    timer_.expires_after(options_.flush_interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopping_.load()) break;
    co_await export_queued(core::Deadline::after(options_.export_timeout));
  }
}

asio::awaitable<void> SpanExporter::stop(core::Deadline deadline) {
  stopping_ = true;
  // The timer is the loop's to touch: cancelled on its executor. What is queued is sent from here.
  asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
  {
    const std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  co_await export_queued(deadline);
}

SpanExporter::Counts SpanExporter::counts() const {
  Counts c;
  c.exported = exported_.load(std::memory_order_relaxed);
  c.dropped_queue_full = dropped_queue_full_.load(std::memory_order_relaxed);
  c.dropped_breaker_open = dropped_breaker_open_.load(std::memory_order_relaxed);
  c.dropped_export_failed = dropped_export_failed_.load(std::memory_order_relaxed);
  const std::lock_guard lock(mutex_);
  c.queued = queue_.size();
  return c;
}

}  // namespace netra::telemetry
