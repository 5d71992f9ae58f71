// IngestGate: who may write workload events now — a rate per user (a token bucket, so a client
// may send a batch at once and then the average) and a bound on the events being written at once
// on this instance — so that one client can neither flood the store nor fill the memory.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/settings_schema.hpp"
#include "core/token_bucket.hpp"

namespace netra::analytics {

struct IngestLimits {
  double events_per_second = 20000;  // per user, on average
  double burst_events = 100000;      // per user, at once; at least one full batch
  size_t queue_events = 200000;      // being written, all users together
  // Request bodies being read and parsed, all users together: a batch's JSON takes memory before
  // anyone has counted its events.
  size_t body_bytes = 64 * 1024 * 1024;
};

// The `analytics.ingest_*` keys of the limits.
const core::SettingsSchema<IngestLimits>& ingest_limits_schema();

// The fewest bytes one event takes in a batch's JSON (its eight required fields with their names
// and shortest values take 134): a body of N bytes holds at most N / this many events.
inline constexpr size_t kMinEventJsonBytes = 128;
// Bodies up to this size (any other route's default limit) are read and their events counted
// exactly; only larger ones are refused from their length.
inline constexpr size_t kExactBelowBytes = 1024 * 1024;

class IngestGate {
 public:
  explicit IngestGate(IngestLimits limits, const core::Clock& clock = core::steady_clock());

  // A batch that was let in: holds its place in the queue until it is destroyed.
  class Ticket {
   public:
    Ticket(std::shared_ptr<std::atomic<size_t>> queued, size_t events)
        : queued_(std::move(queued)), events_(events) {}
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (queued_) queued_->fetch_sub(events_);
    }

   private:
    std::shared_ptr<std::atomic<size_t>> queued_;
    size_t events_;
  };

  struct Refusal {
    std::string code;  // "rate_limited" (this user) or "ingest_busy" (this instance)
    std::string message;
    std::chrono::seconds retry_after{1};
  };

  // Lets `events` of `user_id` in, or says why not and when to try again. A refused batch
  // counts against nothing. Thread-safe.
  core::Result<Ticket, Refusal> admit(const std::string& user_id, size_t events);
  // Before a body of `bytes` (its Content-Length, or the route's limit when it is chunked) is
  // read: holds its share of body_bytes while it is read and parsed, and refuses it at once when
  // this user's rate could not take the events a body of that length may hold (bytes /
  // kMinEventJsonBytes, at most a batch; only past kExactBelowBytes) — so a large body that
  // would be refused is never read.
  // Counts nothing against the rate; admit() does, with the real count.
  core::Result<Ticket, Refusal> admit_body(const std::string& user_id, size_t bytes);

  size_t queued() const { return queued_->load(); }

 private:
  Refusal over_rate(const core::TokenDecision& decision) const;

  IngestLimits limits_;
  core::KeyedTokenBuckets rates_;
  std::shared_ptr<std::atomic<size_t>> queued_ = std::make_shared<std::atomic<size_t>>(0);
  std::shared_ptr<std::atomic<size_t>> body_bytes_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace netra::analytics
