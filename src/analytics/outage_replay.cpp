#include "analytics/outage_replay.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include "analytics/clickhouse_store.hpp"
#include "analytics/embedded_store.hpp"
#include "telemetry/logging.hpp"

namespace netra::analytics {
namespace {

// Clears the running flag however a drain ends (cancellation included).
class RunningFlag {
 public:
  explicit RunningFlag(std::atomic<bool>& flag) : flag_(flag) {}
  ~RunningFlag() { flag_.store(false); }
  RunningFlag(const RunningFlag&) = delete;
  RunningFlag& operator=(const RunningFlag&) = delete;

 private:
  std::atomic<bool>& flag_;
};

}  // namespace

OutageReplay::OutageReplay(std::shared_ptr<EmbeddedAnalyticsStore> buffer,
                           std::shared_ptr<ClickHouseStore> clickhouse, ReplayOptions options)
    : buffer_(std::move(buffer)), clickhouse_(std::move(clickhouse)), options_(options) {
  options_.batch_events = std::clamp<size_t>(options_.batch_events, 1, kMaxBatchEvents);
}

uint64_t OutageReplay::buffered() const {
  return static_cast<uint64_t>(std::max<int64_t>(0, buffered_.load()));
}

boost::asio::awaitable<AnalyticsResult<size_t>> OutageReplay::count_buffered(
    core::Deadline deadline) {
  auto counted = co_await buffer_->count_all(deadline);
  if (counted) buffered_.store(static_cast<int64_t>(counted.value()));
  co_return counted;
}

boost::asio::awaitable<ReplayOutcome> OutageReplay::drain(BetweenBatches between) {
  ReplayOutcome outcome;
  if (running_.exchange(true)) {
    outcome.already_running = true;
    co_return outcome;
  }
  RunningFlag running(running_);
  auto log = telemetry::logger("clickhouse");
  const auto began = std::chrono::steady_clock::now();
  for (;;) {
    // A stop between batches ends the drain even if no call in it noticed the cancellation.
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none) {
      throw boost::system::system_error(boost::asio::error::operation_aborted);
    }
    auto batch = co_await buffer_->oldest(options_.batch_events,
                                          core::Deadline::after(options_.call_timeout));
    if (!batch) {
      outcome.error = batch.error();
      break;
    }
    if (batch->events.empty()) {
      outcome.complete = true;
      buffered_.store(0);
      break;
    }
    const size_t count = batch->events.size();
    auto inserted = co_await clickhouse_->insert_stored(
        std::move(batch->events), core::Deadline::after(options_.call_timeout));
    if (!inserted) {
      outcome.error = inserted.error();
      break;
    }
    // ClickHouse holds the batch now. Until the delete below commits, so does the buffer: a
    // failure or crash in between sends it again next time (at least once, never lost).
    auto removed = co_await buffer_->remove(std::move(batch->entry_ids),
                                            core::Deadline::after(options_.call_timeout));
    if (!removed) {
      outcome.error = removed.error();
      log->error(
          "{} events buffered during the outage were inserted into ClickHouse but not deleted "
          "from the embedded store ({}); the next attempt inserts them again",
          count, removed.error().message);
      break;
    }
    outcome.moved += count;
    moved_total_ += count;
    buffered_ -= static_cast<int64_t>(count);
    if (between && !co_await between(outcome.moved)) {
      outcome.stopped = true;
      break;
    }
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - began)
                        .count();
  if (outcome.error) {
    log->warn(
        "moving the events buffered during the outage into ClickHouse stopped after {} events "
        "({} ms): {}; the rest stays in the embedded store until the next attempt",
        outcome.moved, took, outcome.error->message);
  } else if (outcome.stopped) {
    log->info(
        "moving the events buffered during the outage into ClickHouse stopped after {} events "
        "({} ms), as asked; the rest stays in the embedded store until the next attempt",
        outcome.moved, took);
  } else if (outcome.moved > 0) {
    log->info("moved {} events buffered during the outage into ClickHouse ({} ms)", outcome.moved,
              took);
  }
  co_return outcome;
}

}  // namespace netra::analytics
