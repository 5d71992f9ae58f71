// Watchdog: a thread that notices when an event loop stops turning for longer than a threshold
// and reports which component or route was running on it, and for how long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/loop_activity.hpp"

namespace netra::core {

struct StallReport {
  std::string loop;
  std::string running;  // the label of the handler on the loop, or "unlabelled work"
  std::chrono::milliseconds stalled_for{0};
  bool recovered = false;  // false: the loop is stuck now; true: it turned again after the stall
};

class Watchdog {
 public:
  using Reporter = std::function<void(const StallReport&)>;

  // Loops must outlive the watchdog and beat more often than `threshold`.
  // `report` is called on the watchdog thread: once when a stall passes the threshold and once
  // when the loop turns again.
  Watchdog(std::vector<const LoopActivity*> loops, std::chrono::milliseconds threshold,
           Reporter report);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void stop();
  std::chrono::milliseconds threshold() const { return threshold_; }

 private:
  void run();

  std::vector<const LoopActivity*> loops_;
  std::chrono::milliseconds threshold_;
  Reporter report_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace netra::core
