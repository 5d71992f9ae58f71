// LoopActivity: what one event-loop thread is doing right now, as the Watchdog sees it — when the
// loop last turned and the label (component or route) of the handler running on it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace netra::core {

class LoopActivity {
 public:
  explicit LoopActivity(std::string name) : name_(std::move(name)) { beat(); }

  const std::string& name() const { return name_; }

  // Called from the loop itself, every time its heartbeat timer fires.
  void beat() { last_beat_ns_.store(now_ns(), std::memory_order_relaxed); }
  std::chrono::nanoseconds since_last_beat() const {
    return std::chrono::nanoseconds(now_ns() - last_beat_ns_.load(std::memory_order_relaxed));
  }

  // The label of what runs on the loop now, or nullptr. Labels must outlive the loop.
  const char* label() const { return label_.load(std::memory_order_relaxed); }

  // Binds the calling thread to this activity so that ActivityScope writes here.
  void attach_current_thread();
  static LoopActivity* current();

 private:
  friend class ActivityScope;
  static int64_t now_ns() {
    return std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1);
  }

  std::string name_;
  std::atomic<int64_t> last_beat_ns_{0};
  std::atomic<const char*> label_{nullptr};
};

// Labels the current loop thread for the lifetime of the scope (no-op off a loop thread).
class ActivityScope {
 public:
  explicit ActivityScope(const char* label);
  ~ActivityScope();
  ActivityScope(const ActivityScope&) = delete;
  ActivityScope& operator=(const ActivityScope&) = delete;

 private:
  LoopActivity* loop_;
  const char* previous_ = nullptr;
};

}  // namespace netra::core
