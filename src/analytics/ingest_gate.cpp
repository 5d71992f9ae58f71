#include "analytics/ingest_gate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/workload_event.hpp"

namespace netra::analytics {

IngestGate::Refusal IngestGate::over_rate(const core::TokenDecision& decision) const {
  return Refusal{"rate_limited",
                 fmt::format("over the ingest rate of {} events per second (bursts of {})",
                             limits_.events_per_second, limits_.burst_events),
                 decision.retry_after};
}

core::Result<IngestGate::Ticket, IngestGate::Refusal> IngestGate::admit(size_t events) {
  const size_t before = queued_->fetch_add(events);
  Ticket ticket(queued_, events);
  if (before + events > limits_.queue_events) {
    return Refusal{"ingest_busy",
                   fmt::format("{} workload events are being written on this instance, at most "
                               "{} at once; try again shortly",
                               before, limits_.queue_events),
                   std::chrono::seconds(1)};
  }
  return ticket;
}

core::Result<IngestGate::Ticket, IngestGate::Refusal> IngestGate::admit_body(size_t bytes) {
  const size_t before = body_bytes_->fetch_add(bytes);
  Ticket ticket(body_bytes_, bytes);
  if (before > 0 && before + bytes > limits_.body_bytes) {
    return Refusal{"ingest_busy",
                   fmt::format("{} bytes of workload events are being read on this instance, at "
                               "most {} at once; try again shortly",
                               before, limits_.body_bytes),
                   std::chrono::seconds(1)};
  }
  return ticket;
}

std::optional<size_t> IngestGate::events_to_check(size_t bytes) {
  if (bytes <= kExactBelowBytes) return std::nullopt;
  return std::clamp<size_t>(bytes / kMinEventJsonBytes, 1, kMaxBatchEvents);
}

}  // namespace netra::analytics
