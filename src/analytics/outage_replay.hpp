// OutageReplay: with ClickHouse configured, the embedded store is only a buffer for the events
// written while ClickHouse was not serving; this moves them into ClickHouse once it serves again,
// so that the reports it answers count them too. The component runs it in the background.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "analytics/analytics_error.hpp"

namespace netra::analytics {

class ClickHouseStore;
class EmbeddedAnalyticsStore;

struct ReplayOptions {
  size_t batch_events = 10'000;  // rows read, inserted and deleted at a time (1–10,000)
  // Each read, insert and delete gets this long. An insert that timed out may have landed; it is
  // sent again by the next drain (see drain()), so a generous budget means fewer duplicates.
  std::chrono::milliseconds call_timeout{30'000};
};

struct ReplayOutcome {
  size_t moved = 0;                     // events now in ClickHouse and gone from the buffer
  bool complete = false;                // the buffer was found empty
  bool already_running = false;         // another drain was running; this one did nothing
  std::optional<AnalyticsError> error;  // what stopped it before the buffer was empty
};

class OutageReplay {
 public:
  // Both stores must outlive every drain.
  OutageReplay(std::shared_ptr<EmbeddedAnalyticsStore> buffer,
               std::shared_ptr<ClickHouseStore> clickhouse, ReplayOptions options = {});

  // Moves batches, oldest first, until the buffer is empty or a call fails (ClickHouse down
  // again, the database unreachable): read a batch of all users, insert it into ClickHouse as it
  // is (each event keeps its user and event id), then delete exactly those rows (by entry_id).
  // Delivery is at least once: rows are deleted only after ClickHouse acknowledged them, so a
  // crash, a cancellation or a failed delete between the two leaves the batch in the buffer as
  // well, and the next drain inserts it again (ClickHouse does not deduplicate: those events
  // are then counted twice). Nothing is lost: a failure leaves the rest buffered for the next
  // drain. Only one drain runs at a time per instance; a second call returns at once with
  // `already_running`. Several instances on one PostgreSQL may drain the same rows at once,
  // which duplicates them likewise. Logs what it moved and why it stopped. Cancellation
  // (the stop of the component) ends it with an exception, at the latest before the next batch.
  boost::asio::awaitable<ReplayOutcome> drain();

  // Events moved since the start of the process (netra_workload_events_replayed_total).
  uint64_t moved_total() const { return moved_total_.load(); }

 private:
  std::shared_ptr<EmbeddedAnalyticsStore> buffer_;
  std::shared_ptr<ClickHouseStore> clickhouse_;
  ReplayOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> moved_total_{0};
};

}  // namespace netra::analytics
