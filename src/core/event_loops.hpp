// EventLoops: the service's event-loop threads, one io_context each so the Watchdog can tell
// which loop stalled. Each loop beats a heartbeat that the Watchdog samples.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/loop_activity.hpp"

namespace netra::core {

namespace asio = boost::asio;

class EventLoops {
 public:
  // `heartbeat` is how often each loop records that it turned; keep it well under the watchdog
  // threshold.
  EventLoops(size_t count, std::chrono::milliseconds heartbeat);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  size_t size() const { return loops_.size(); }
  asio::io_context& context(size_t i);
  // Round-robin over the loops; thread-safe.
  asio::any_io_executor next_executor();
  size_t next_index();
  std::vector<const LoopActivity*> activities() const;

  // Called on a loop's own thread at each heartbeat with how late its timer fired: the time the
  // loop took to come back to a ready timer, the event-loop lag a slow handler causes. Set
  // before start(); must be cheap and must not block.
  using LagObserver = std::function<void(const LoopActivity&, std::chrono::nanoseconds lag)>;
  void observe_lag(LagObserver observer) { lag_observer_ = std::move(observer); }

  // Starts one thread per loop. Called once.
  void start();
  // Stops the loops and joins every thread that ends within `grace`. A thread stuck in a
  // blocking handler is detached (and its loop leaked) rather than joined: shutdown never hangs.
  // Returns how many threads were abandoned.
  size_t stop(std::chrono::milliseconds grace);

 private:
  struct Loop;
  void run_until_stopped(Loop& loop);
  std::vector<std::unique_ptr<Loop>> loops_;
  std::chrono::milliseconds heartbeat_;
  LagObserver lag_observer_;
  std::atomic<size_t> next_{0};
  bool stopped_ = false;
};

}  // namespace netra::core
