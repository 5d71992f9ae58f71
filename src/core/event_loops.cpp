#include "core/event_loops.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/task_failures.hpp"

namespace netra::core {

namespace {
// Lets EventLoops shut every context down before destroying any: a handler pending on one loop
// may hold a work-tracking executor of another, and must not outlive it.
class LoopContext : public asio::io_context {
 public:
  LoopContext() : asio::io_context(1) {}
  using asio::io_context::shutdown;
};
}  // namespace

struct EventLoops::Loop {
  explicit Loop(std::string name) : activity(std::move(name)), heartbeat(io) {}

  LoopContext io;
  LoopActivity activity;
  asio::steady_timer heartbeat;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  // Shared with the thread so a detached thread never touches a destroyed Loop's flag.
  std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);
};

namespace {
void schedule_beat(asio::steady_timer& timer, LoopActivity& activity,
                   std::chrono::milliseconds period, const EventLoops::LagObserver& observe_lag) {
  timer.expires_after(period);
  timer.async_wait([&timer, &activity, period, &observe_lag](boost::system::error_code ec) {
    if (ec) return;
    activity.beat();
    if (observe_lag) {
      const auto late = asio::steady_timer::clock_type::now() - timer.expiry();
      observe_lag(activity, std::max(late, std::chrono::nanoseconds(0)));
    }
    schedule_beat(timer, activity, period, observe_lag);
  });
}
}  // namespace

EventLoops::EventLoops(size_t count, std::chrono::milliseconds heartbeat) : heartbeat_(heartbeat) {
  for (size_t i = 0; i < std::max<size_t>(count, 1); ++i) {
    loops_.push_back(std::make_unique<Loop>("loop-" + std::to_string(i)));
  }
}

EventLoops::~EventLoops() {
  stop(std::chrono::milliseconds(1000));
  for (auto& loop : loops_) {
    if (loop) loop->io.shutdown();
  }
}

asio::io_context& EventLoops::context(size_t i) {
  return loops_.at(i)->io;
}

size_t EventLoops::next_index() {
  return next_.fetch_add(1, std::memory_order_relaxed) % loops_.size();
}

asio::any_io_executor EventLoops::next_executor() {
  return loops_[next_index()]->io.get_executor();
}

std::vector<const LoopActivity*> EventLoops::activities() const {
  std::vector<const LoopActivity*> out;
  for (const auto& loop : loops_) out.push_back(&loop->activity);
  return out;
}

// io_context::run() lets a handler's exception out and may be called again to go on (Asio's
// documented contract); without this the exception would end the thread and std::terminate the
// process, taking every connection with it. What escaped is reported (core/task_failures).
void EventLoops::run_until_stopped(Loop& loop) {
  for (;;) {
    try {
      loop.io.run();
      return;
    } catch (...) {
      report_task_failure("a handler on " + loop.activity.name(), std::current_exception());
    }
  }
}

void EventLoops::start() {
  for (auto& loop : loops_) {
    loop->work.emplace(loop->io.get_executor());
    schedule_beat(loop->heartbeat, loop->activity, heartbeat_, lag_observer_);
    loop->thread = std::thread([this, l = loop.get(), finished = loop->finished] {
      l->activity.attach_current_thread();
      l->activity.beat();
      run_until_stopped(*l);
      finished->store(true);
    });
  }
}

size_t EventLoops::stop(std::chrono::milliseconds grace) {
  if (stopped_) return 0;
  stopped_ = true;
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io.stop();
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  size_t abandoned = 0;
  for (auto& loop : loops_) {
    if (!loop->thread.joinable()) continue;
    while (!loop->finished->load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (loop->finished->load()) {
      loop->thread.join();
    } else {
      // The thread is inside a handler that blocks; it still uses the Loop, so leak it.
      loop->thread.detach();
      (void)loop.release();
      ++abandoned;
    }
  }
  return abandoned;
}

}  // namespace netra::core
