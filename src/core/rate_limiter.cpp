#include "core/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace netra::core {

RateLimiter::RateLimiter(size_t limit, std::chrono::seconds window, size_t max_keys,
                         const Clock& clock)
    : limit_(limit), window_(window), max_keys_(std::max<size_t>(max_keys, 1)), clock_(clock) {}

RateLimiter::Decision RateLimiter::decide(Window& w, Clock::time_point now) const {
  if (w.count == 0 || now - w.started >= window_) {
    w.started = now;
    w.count = 0;
  }
  if (w.count >= limit_) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(w.started + window_ - now);
    return {false, std::max(std::chrono::seconds(1), left)};
  }
  return {true, std::chrono::seconds(0)};
}

void RateLimiter::make_room(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.started >= window_; });
  if (windows_.size() < max_keys_) return;
  std::vector<std::pair<size_t, std::string>> by_count;
  by_count.reserve(windows_.size());
  for (const auto& [key, w] : windows_) by_count.emplace_back(w.count, key);
  const size_t evict = std::max<size_t>(1, windows_.size() / 10);
  std::nth_element(by_count.begin(), by_count.begin() + static_cast<std::ptrdiff_t>(evict - 1),
                   by_count.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < evict; ++i) windows_.erase(by_count[i].second);
}

RateLimiter::Decision RateLimiter::hit(const std::string& key) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto found = windows_.find(key);
  if (found == windows_.end()) {
    if (windows_.size() >= max_keys_) make_room(now);
    found = windows_.emplace(key, Window{}).first;
  }
  const auto decision = decide(found->second, now);
  if (decision.allowed) ++found->second.count;
  return decision;
}

RateLimiter::Decision RateLimiter::check(const std::string& key) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto found = windows_.find(key);
  if (found == windows_.end()) return {true, std::chrono::seconds(0)};
  return decide(found->second, now);
}

size_t RateLimiter::size() {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

}  // namespace netra::core
