#include "core/circuit_breaker.hpp"

namespace netra::core {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string name, BreakerOptions options, const Clock& clock)
    : name_(std::move(name)), options_(options), clock_(clock) {}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  if (state_ == BreakerState::open) {
    if (clock_.now() - opened_at_ < options_.open_duration) return false;
    state_ = BreakerState::half_open;
    probes_in_flight_ = 0;
  }
  if (state_ == BreakerState::half_open) {
    if (probes_in_flight_ >= options_.half_open_probes) return false;
    ++probes_in_flight_;
  }
  return true;
}

void CircuitBreaker::record(bool success) {
  std::lock_guard lock(mutex_);
  if (state_ == BreakerState::half_open) {
    if (probes_in_flight_ > 0) --probes_in_flight_;
    if (success) {
      state_ = BreakerState::closed;
      window_.clear();
      failures_ = 0;
    } else {
      open_locked();
    }
    return;
  }
  if (state_ == BreakerState::open) return;  // a call allowed before it opened
  window_.push_back(!success);
  if (!success) ++failures_;
  if (window_.size() > options_.window) {
    if (window_.front()) --failures_;
    window_.pop_front();
  }
  if (window_.size() >= options_.minimum_calls &&
      static_cast<double>(failures_) >=
          options_.failure_rate * static_cast<double>(window_.size())) {
    open_locked();
  }
}

void CircuitBreaker::open_locked() {
  state_ = BreakerState::open;
  opened_at_ = clock_.now();
  probes_in_flight_ = 0;
  ++times_opened_;
}

BreakerState CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

BreakerSnapshot CircuitBreaker::snapshot() const {
  std::lock_guard lock(mutex_);
  return {name_, state_, window_.size(), failures_, times_opened_};
}

}  // namespace netra::core
