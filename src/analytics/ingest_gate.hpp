// IngestGate: who may write workload events now — within a rate per user (a token bucket, so a
// client may send a batch at once and then the average; the bucket is the caller's: one per
// cluster with Redis, redis::SharedTokenBuckets) and a bound on the events being written and the
// bytes being read at once on this instance — so that one client can neither flood the store nor
// fill the memory.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

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
  explicit IngestGate(IngestLimits limits) : limits_(limits) {}

  const IngestLimits& limits() const { return limits_; }

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

  // A place in the queue for `events` being written, or why not. Taken before the user's rate is
  // spent: a batch the queue turns away costs its user nothing. Thread-safe.
  core::Result<Ticket, Refusal> admit(size_t events);
  // Before a body of `bytes` (its Content-Length, or the route's limit when it is chunked) is
  // read: holds its share of body_bytes while it is read and parsed. Thread-safe.
  core::Result<Ticket, Refusal> admit_body(size_t bytes);

  // How many events a body of `bytes` may hold (bytes / kMinEventJsonBytes, at most a batch),
  // when it is large enough (past kExactBelowBytes) to be refused before it is read if the
  // user's rate could not take that many; nothing for a smaller one, which is cheap to read and
  // judged on its real count (an estimate would turn it away near the limit and overstate its
  // wait).
  static std::optional<size_t> events_to_check(size_t bytes);

  // The refusal of a batch over the user's rate.
  Refusal over_rate(const core::TokenDecision& decision) const;

  size_t queued() const { return queued_->load(); }

 private:
  IngestLimits limits_;
  std::shared_ptr<std::atomic<size_t>> queued_ = std::make_shared<std::atomic<size_t>>(0);
  std::shared_ptr<std::atomic<size_t>> body_bytes_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace netra::analytics
