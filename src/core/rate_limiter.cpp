#include "core/rate_limiter.hpp"

namespace netra::core {

RateLimiter::RateLimiter(size_t limit, std::chrono::seconds window, size_t max_keys,
                         const Clock& clock)
    : limit_(limit), window_(window), max_keys_(max_keys), clock_(clock) {}

RateLimiter::Decision RateLimiter::hit(const std::string& key) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  if (windows_.size() >= max_keys_) {
    // Drop finished windows; if every key is live, start over rather than grow without bound.
    std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.started >= window_; });
    if (windows_.size() >= max_keys_) windows_.clear();
  }
  auto& w = windows_[key];
  if (w.count == 0 || now - w.started >= window_) {
    w.started = now;
    w.count = 0;
  }
  if (w.count >= limit_) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(w.started + window_ - now);
    return {false, std::max(std::chrono::seconds(1), left)};
  }
  ++w.count;
  return {true, std::chrono::seconds(0)};
}

}  // namespace netra::core
