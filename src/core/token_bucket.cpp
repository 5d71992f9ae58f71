#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace netra::core {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_(rate_per_second), burst_(burst), tokens_(burst), refilled_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= refilled_) return;
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  refilled_ = now;
}

TokenDecision token_decision(double tokens, double units, double rate_per_second, double burst) {
  if (units <= tokens) return {true, std::chrono::seconds(0)};
  if (units > burst || rate_per_second <= 0) return {false, std::chrono::seconds(60)};
  const double wait = (units - tokens) / rate_per_second;
  return {false, std::chrono::seconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait))))};
}

TokenDecision TokenBucket::take(double units, Clock::time_point now) {
  refill(now);
  const auto decision = token_decision(tokens_, units, rate_, burst_);
  if (decision.allowed) tokens_ -= units;
  return decision;
}

bool TokenBucket::full_at(Clock::time_point now) const {
  if (tokens_ >= burst_) return true;
  if (rate_ <= 0) return false;
  return std::chrono::duration<double>(now - refilled_).count() * rate_ >= burst_ - tokens_;
}

KeyedTokenBuckets::KeyedTokenBuckets(double rate_per_second, double burst, size_t max_keys,
                                     const Clock& clock)
    : rate_(rate_per_second), burst_(burst), max_keys_(max_keys), clock_(clock) {}

TokenDecision KeyedTokenBuckets::take(const std::string& key, double units) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // A full bucket is the same as no bucket; if none is full, start over rather than grow.
      std::erase_if(buckets_, [&](const auto& kv) { return kv.second.full_at(now); });
      if (buckets_.size() >= max_keys_) buckets_.clear();
    }
    it = buckets_.emplace(key, TokenBucket(rate_, burst_, now)).first;
  }
  return it->second.take(units, now);
}

TokenDecision KeyedTokenBuckets::check(const std::string& key, double units) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  TokenBucket copy = it == buckets_.end() ? TokenBucket(rate_, burst_, now) : it->second;
  return copy.take(units, now);
}

}  // namespace netra::core
