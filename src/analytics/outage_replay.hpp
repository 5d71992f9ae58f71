// OutageReplay: with ClickHouse configured, the embedded store is only a buffer for the events
// written while ClickHouse was not serving; this moves them into ClickHouse once it serves again,
// so that the reports it answers count them too. The service runs it as the outage_replay job
// (one drain at a time across the cluster); the component drains itself when there is no job.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "analytics/analytics_error.hpp"
#include "core/deadline.hpp"

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
  bool stopped = false;                 // told to stop between two batches
  std::optional<AnalyticsError> error;  // what stopped it before the buffer was empty
};

class OutageReplay {
 public:
  // Both stores must outlive every drain.
  OutageReplay(std::shared_ptr<EmbeddedAnalyticsStore> buffer,
               std::shared_ptr<ClickHouseStore> clickhouse, ReplayOptions options = {});

  // Between two batches, whether to go on, given the events moved so far (a job's checkpoint:
  // false once the job must stop).
  using BetweenBatches = std::function<boost::asio::awaitable<bool>(size_t moved)>;

  // Moves batches, oldest first, until the buffer is empty or a call fails (ClickHouse down
  // again, the database unreachable): read a batch of all users, insert it into ClickHouse as it
  // is (each event keeps its user and event id), then delete exactly those rows (by entry_id).
  // Delivery is at least once: rows are deleted only after ClickHouse acknowledged them, so a
  // crash, a cancellation or a failed delete between the two leaves the batch in the buffer as
  // well, and the next drain inserts it again (ClickHouse does not deduplicate: those events
  // are then counted twice). Nothing is lost: a failure leaves the rest buffered for the next
  // drain. Only one drain runs at a time per instance; a second call returns at once with
  // `already_running`. Across instances nothing here stops two drains on one PostgreSQL from
  // reading the same rows, which would duplicate them likewise: the outage_replay job's handler
  // gives way to another such job that is running (JobStore::other_running), so that only one
  // instance drains at a time; a drain the component runs itself (no background jobs) is not
  // guarded. Logs what it moved and why it stopped. Cancellation (the stop of the component)
  // ends it with an exception, and `between` answering false ends it with `stopped`, at the
  // latest before the next batch.
  boost::asio::awaitable<ReplayOutcome> drain(BetweenBatches between = {});

  // Events moved since the start of the process (netra_workload_events_replayed_total).
  uint64_t moved_total() const { return moved_total_.load(); }

  // The buffer's size for its gauge (netra_workload_events_buffered): what count_buffered last
  // found, plus what note_buffered added since, less what drains moved; 0 once a drain found the
  // buffer empty. An estimate between counts (a write and a count may cross), exact after one.
  uint64_t buffered() const;
  void note_buffered(uint64_t events) { buffered_ += static_cast<int64_t>(events); }
  // Counts the buffer's rows (a query on the database) and takes that as its size.
  boost::asio::awaitable<AnalyticsResult<size_t>> count_buffered(core::Deadline deadline);

 private:
  std::shared_ptr<EmbeddedAnalyticsStore> buffer_;
  std::shared_ptr<ClickHouseStore> clickhouse_;
  ReplayOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> moved_total_{0};
  std::atomic<int64_t> buffered_{0};  // may dip below 0 when a drain overtakes a note
};

}  // namespace netra::analytics
