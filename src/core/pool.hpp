// Pool: the one connection pool (database, later Redis): a maximum size, an acquire timeout that
// answers "busy" instead of hanging, a maximum lifetime, an idle timeout, validation of a
// connection that sat idle, and leak detection naming who holds a connection too long.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/deadline.hpp"
#include "core/result.hpp"

namespace netra::core {

namespace asio = boost::asio;

struct PoolOptions {
  size_t max_size = 10;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds max_lifetime{30 * 60 * 1000};
  std::chrono::milliseconds idle_timeout{10 * 60 * 1000};
  std::chrono::milliseconds validate_after_idle{30 * 1000};  // idle longer: validate before use
  std::chrono::milliseconds leak_threshold{30 * 1000};
};

// How long acquire() may wait for a free resource: the acquire timeout (within the caller's
// deadline), or the caller's deadline alone — for a queue that is the design, such as SQLite's
// one writer, where a long batch waits its turn behind others rather than failing as busy.
enum class AcquireWait { acquire_timeout, caller_deadline };

struct PoolError {
  enum class Kind { busy, connect_failed };
  Kind kind;
  std::string message;
};

struct PoolStats {
  size_t in_use = 0;
  size_t idle = 0;
  size_t waiting = 0;
  size_t total = 0;
};

template <typename T>
class Pool {
  struct State;  // defined below; named here for Lease (clang wants it declared before use)
  struct Slot {
    std::unique_ptr<T> resource;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point returned;
    std::chrono::steady_clock::time_point leased_at;
    std::string owner;
    bool leak_reported = false;
  };
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::unique_ptr<Slot> granted;  // handed over by release()
    bool capacity_freed = false;    // a slot was destroyed: try to create one
  };

 public:
  // Opens a resource by `deadline` (the acquiring caller's, capped by the acquire timeout).
  using Create =
      std::function<asio::awaitable<Result<std::unique_ptr<T>, std::string>>(Deadline deadline)>;
  using Validate = std::function<asio::awaitable<bool>(T&)>;
  using LeakReport = std::function<void(const std::string& owner, std::chrono::milliseconds held)>;

  // A resource on loan; returned to the pool when destroyed (from any thread).
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept {
      give_back();
      state_ = std::move(other.state_);
      slot_ = std::move(other.slot_);
      return *this;
    }
    ~Lease() { give_back(); }
    T& operator*() const { return *slot_->resource; }
    T* operator->() const { return slot_->resource.get(); }
    // The resource is broken (connection lost): close it instead of reusing it.
    void discard() { broken_ = true; }

   private:
    friend class Pool;
    Lease(std::shared_ptr<typename Pool::State> state, std::unique_ptr<Slot> slot)
        : state_(std::move(state)), slot_(std::move(slot)) {}
    void give_back() {
      if (state_ && slot_) Pool::release(state_, std::move(slot_), broken_);
      state_.reset();
    }
    std::shared_ptr<typename Pool::State> state_;
    std::unique_ptr<Slot> slot_;
    bool broken_ = false;
  };

  Pool(PoolOptions options, Create create, Validate validate, LeakReport leak_report = {})
      : state_(std::make_shared<State>()) {
    state_->options = options;
    state_->create = std::move(create);
    state_->validate = std::move(validate);
    state_->leak_report = std::move(leak_report);
  }

  // Waits at most the acquire timeout (or until `deadline`, if sooner), or until `deadline` alone
  // under AcquireWait::caller_deadline. `owner` names the route or task, for leak reports.
  asio::awaitable<Result<Lease, PoolError>> acquire(
      std::string owner, Deadline deadline, AcquireWait wait = AcquireWait::acquire_timeout) {
    auto state = state_;
    auto executor = co_await asio::this_coro::executor;
    const auto until = wait == AcquireWait::caller_deadline
                           ? deadline
                           : deadline.capped(state->options.acquire_timeout);
    for (;;) {
      std::unique_ptr<Slot> slot;
      bool may_create = false;
      std::shared_ptr<Waiter> waiter;
      std::vector<std::unique_ptr<Slot>> expired;
      {
        std::lock_guard lock(state->mutex);
        expired = state->take_expired_idle();
        if (!state->idle.empty()) {
          slot = std::move(state->idle.back());
          state->idle.pop_back();
        } else if (state->total < state->options.max_size) {
          ++state->total;
          may_create = true;
        } else {
          waiter = std::make_shared<Waiter>(executor);
          state->waiters.push_back(waiter);
        }
      }
      expired.clear();  // closes them outside the lock

      if (slot) {
        const auto idle_for = std::chrono::steady_clock::now() - slot->returned;
        if (idle_for > state->options.validate_after_idle && state->validate &&
            !co_await state->validate(*slot->resource)) {
          state->destroy(std::move(slot));
          continue;
        }
        co_return lease(state, std::move(slot), std::move(owner));
      }
      if (may_create) {
        auto created = co_await state->create(until);
        if (!created) {
          state->destroy(nullptr);
          co_return PoolError{PoolError::Kind::connect_failed, created.error()};
        }
        auto fresh = std::make_unique<Slot>();
        fresh->resource = std::move(created.value());
        fresh->created = std::chrono::steady_clock::now();
        co_return lease(state, std::move(fresh), std::move(owner));
      }

      waiter->timer.expires_at(until.when());
      co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      std::unique_ptr<Slot> granted;
      bool retry = false;
      {
        std::lock_guard lock(state->mutex);
        granted = std::move(waiter->granted);
        retry = waiter->capacity_freed;
        std::erase(state->waiters, waiter);
      }
      if (granted) co_return lease(state, std::move(granted), std::move(owner));
      if (retry && !until.expired()) continue;
      const auto waited =
          wait == AcquireWait::caller_deadline
              ? std::string("by the caller's deadline")
              : "within " + std::to_string(state->options.acquire_timeout.count()) + " ms";
      co_return PoolError{PoolError::Kind::busy, "no connection free " + waited + " (" +
                                                     std::to_string(state->options.max_size) +
                                                     " in use)"};
    }
  }

  PoolStats stats() const {
    std::lock_guard lock(state_->mutex);
    PoolStats s;
    s.idle = state_->idle.size();
    s.total = state_->total;
    s.in_use = s.total - s.idle;
    s.waiting = state_->waiters.size();
    return s;
  }

  // Reports (once each) leases held past the leak threshold; call periodically.
  void check_leaks() {
    std::vector<std::pair<std::string, std::chrono::milliseconds>> leaks;
    {
      std::lock_guard lock(state_->mutex);
      const auto now = std::chrono::steady_clock::now();
      for (Slot* s : state_->leased) {
        const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(now - s->leased_at);
        if (!s->leak_reported && held > state_->options.leak_threshold) {
          s->leak_reported = true;
          leaks.emplace_back(s->owner, held);
        }
      }
    }
    if (state_->leak_report) {
      for (const auto& [owner, held] : leaks) state_->leak_report(owner, held);
    }
  }

  // Closes idle resources; leased ones close when they come back.
  void close_idle() {
    std::vector<std::unique_ptr<Slot>> closing;
    {
      std::lock_guard lock(state_->mutex);
      for (auto& s : state_->idle) closing.push_back(std::move(s));
      state_->total -= state_->idle.size();
      state_->idle.clear();
    }
  }

 private:
  struct State {
    mutable std::mutex mutex;
    PoolOptions options;
    Create create;
    Validate validate;
    LeakReport leak_report;
    std::vector<std::unique_ptr<Slot>> idle;
    std::vector<Slot*> leased;
    std::deque<std::shared_ptr<Waiter>> waiters;
    size_t total = 0;

    // Idle resources past their lifetime or idle timeout; caller holds the lock.
    std::vector<std::unique_ptr<Slot>> take_expired_idle() {
      std::vector<std::unique_ptr<Slot>> out;
      const auto now = std::chrono::steady_clock::now();
      for (auto it = idle.begin(); it != idle.end();) {
        if (now - (*it)->created > options.max_lifetime ||
            now - (*it)->returned > options.idle_timeout) {
          out.push_back(std::move(*it));
          it = idle.erase(it);
          --total;
        } else {
          ++it;
        }
      }
      return out;
    }

    // Frees a slot's capacity (the slot may be null for a failed create) and lets a waiter try.
    void destroy(std::unique_ptr<Slot> slot) {
      {
        std::lock_guard lock(mutex);
        --total;
        if (!waiters.empty()) {
          auto w = waiters.front();
          waiters.pop_front();
          w->capacity_freed = true;
          asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
        }
      }
      slot.reset();
    }
  };

  static Lease lease(const std::shared_ptr<State>& state, std::unique_ptr<Slot> slot,
                     std::string owner) {
    slot->owner = std::move(owner);
    slot->leased_at = std::chrono::steady_clock::now();
    slot->leak_reported = false;
    {
      std::lock_guard lock(state->mutex);
      state->leased.push_back(slot.get());
    }
    return Lease(state, std::move(slot));
  }

  static void release(const std::shared_ptr<State>& state, std::unique_ptr<Slot> slot,
                      bool broken) {
    {
      std::lock_guard lock(state->mutex);
      std::erase(state->leased, slot.get());
    }
    const auto now = std::chrono::steady_clock::now();
    if (broken || now - slot->created > state->options.max_lifetime) {
      state->destroy(std::move(slot));
      return;
    }
    slot->returned = now;
    std::lock_guard lock(state->mutex);
    if (!state->waiters.empty()) {
      auto w = state->waiters.front();
      state->waiters.pop_front();
      w->granted = std::move(slot);
      asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
      return;
    }
    state->idle.push_back(std::move(slot));
  }

  std::shared_ptr<State> state_;
};

}  // namespace netra::core
