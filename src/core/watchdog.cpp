#include "core/watchdog.hpp"

#include <algorithm>

namespace netra::core {

Watchdog::Watchdog(std::vector<const LoopActivity*> loops, std::chrono::milliseconds threshold,
                   Reporter report)
    : loops_(std::move(loops)), threshold_(threshold), report_(std::move(report)) {
  thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  stop();
}

void Watchdog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::run() {
  using namespace std::chrono;
  // Sample five times per threshold so a stall is seen within 1.2 thresholds.
  const auto period = std::max(milliseconds(1), threshold_ / 5);
  struct Episode {
    bool stalled = false;
    std::string running;
    nanoseconds longest{0};
  };
  std::vector<Episode> episodes(loops_.size());

  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    for (size_t i = 0; i < loops_.size(); ++i) {
      const auto silent = loops_[i]->since_last_beat();
      auto& episode = episodes[i];
      if (silent > threshold_) {
        episode.longest = std::max(episode.longest, silent);
        if (!episode.stalled) {
          episode.stalled = true;
          const char* label = loops_[i]->label();
          episode.running = label ? label : "unlabelled work";
          report_({loops_[i]->name(), episode.running, duration_cast<milliseconds>(silent), false});
        }
      } else if (episode.stalled) {
        report_({loops_[i]->name(), episode.running, duration_cast<milliseconds>(episode.longest),
                 true});
        episode = {};
      }
    }
  }
}

}  // namespace netra::core
