#include "analytics/ingest_gate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/workload_event.hpp"

namespace netra::analytics {

IngestGate::IngestGate(IngestLimits limits, const core::Clock& clock)
    : limits_(limits),
      rates_(limits.events_per_second, limits.burst_events, /*max_keys=*/100000, clock) {}

IngestGate::Refusal IngestGate::over_rate(const core::TokenDecision& decision) const {
  return Refusal{"rate_limited",
                 fmt::format("over the ingest rate of {} events per second (bursts of {})",
                             limits_.events_per_second, limits_.burst_events),
                 decision.retry_after};
}

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
    return over_rate(decision);
  }
  return ticket;
}

core::Result<IngestGate::Ticket, IngestGate::Refusal> IngestGate::admit_body(
    const std::string& user_id, size_t bytes) {
  const size_t before = body_bytes_->fetch_add(bytes);
  Ticket ticket(body_bytes_, bytes);
  if (before > 0 && before + bytes > limits_.body_bytes) {
    return Refusal{"ingest_busy",
                   fmt::format("{} bytes of workload events are being read on this instance, at "
                               "most {} at once; try again shortly",
                               before, limits_.body_bytes),
                   std::chrono::seconds(1)};
  }
  // How many events the body holds is known only once it is parsed (admit() then takes them
  // exactly); here, the most its length allows. A large body whose events the caller's rate
  // could not take now is refused before it is sent; a small one is cheap to read and is judged
  // on its real count (an estimate would turn it away near the limit, and overstate its wait).
  if (bytes <= kExactBelowBytes) return ticket;
  const size_t most = std::clamp<size_t>(bytes / kMinEventJsonBytes, 1, kMaxBatchEvents);
  const auto decision = rates_.check(user_id, static_cast<double>(most));
  if (!decision.allowed) {
    return over_rate(decision);
  }
  return ticket;
}

}  // namespace netra::analytics
