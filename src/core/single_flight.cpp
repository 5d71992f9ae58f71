#include "core/single_flight.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace netra::core {

asio::awaitable<SingleFlight::Outcome> SingleFlight::run(
    std::function<asio::awaitable<void>()> work, Deadline deadline) {
  std::shared_ptr<asio::steady_timer> waiter;
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      waiter =
          std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline.when());
      waiters_.push_back(waiter);
    } else {
      running_ = true;
    }
  }
  if (waiter) {
    auto [ec] = co_await waiter->async_wait(asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(mutex_);
    std::erase(waiters_, waiter);  // gone already when the run ended
    co_return ec ? Outcome::joined : Outcome::timed_out;
  }
  struct Finish {
    SingleFlight* self;
    ~Finish() { self->finish(); }
  } finish{this};
  co_await work();
  co_return Outcome::ran;
}

void SingleFlight::finish() {
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;
  {
    std::lock_guard lock(mutex_);
    running_ = false;
    waiters.swap(waiters_);
  }
  // A timer may only be touched on its own executor; the shared_ptr keeps it alive until then.
  for (auto& timer : waiters) {
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
  }
}

bool SingleFlight::begin() {
  std::lock_guard lock(mutex_);
  if (running_) return false;
  running_ = true;
  return true;
}

bool SingleFlight::in_flight() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace netra::core
