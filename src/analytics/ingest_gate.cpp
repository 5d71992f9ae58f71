#include "analytics/ingest_gate.hpp"

#include <fmt/format.h>

namespace netra::analytics {

IngestGate::IngestGate(IngestLimits limits, const core::Clock& clock)
    : limits_(limits),
      rates_(limits.events_per_second, limits.burst_events, /*max_keys=*/100000, clock) {}

core::Result<IngestGate::Ticket, IngestGate::Refusal> IngestGate::admit(const std::string& user_id,
                                                                        size_t events) {
  // The queue first: a batch it turns away must not spend the user's rate.
  const size_t before = queued_->fetch_add(events);
  Ticket ticket(queued_, events);
  if (before + events > limits_.queue_events) {
    return Refusal{"ingest_busy",
                   fmt::format("{} workload events are being written on this instance, at most "
                               "{} at once; try again shortly",
                               before, limits_.queue_events),
                   std::chrono::seconds(1)};
  }
  const auto decision = rates_.take(user_id, static_cast<double>(events));
  if (!decision.allowed) {
    return Refusal{"rate_limited",
                   fmt::format("over the ingest rate of {} events per second (bursts of {})",
                               limits_.events_per_second, limits_.burst_events),
                   decision.retry_after};
  }
  return ticket;
}

}  // namespace netra::analytics
