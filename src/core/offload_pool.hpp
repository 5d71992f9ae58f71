// OffloadPool: threads for blocking calls (SQLite, argon2, libcurl), so that no event loop ever
// blocks. An awaiting coroutine can be cancelled at once even if the call itself never returns.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace netra::core {

namespace asio = boost::asio;

namespace detail {

// Decides whether a finished call may still resume its caller. Closed by OffloadPool::shutdown:
// after that the callers' event loops may be gone, so a call that returns late parks its
// handler forever instead of posting to a destroyed executor.
struct CompletionGate {
  std::mutex mutex;
  bool open = true;
};

// Keeps a late handler alive (and reachable) until the process exits.
void park_forever(std::shared_ptr<void> handler);

}  // namespace detail

// What run() throws when the pool's queue is full: the caller answers "busy, try again" (503
// with Retry-After) instead of queueing without bound.
class OffloadQueueFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OffloadPool {
 public:
  // `max_queued`: calls that may wait for a thread; 0 for no bound.
  explicit OffloadPool(size_t threads, std::string name = "offload", size_t max_queued = 0);
  // Shuts down with a short grace if shutdown() was not called.
  ~OffloadPool();
  OffloadPool(const OffloadPool&) = delete;
  OffloadPool& operator=(const OffloadPool&) = delete;

  // Runs `call` on a pool thread and resumes the caller on its own executor with the result, or
  // rethrows what `call` threw. If the awaiting coroutine is cancelled first, it resumes at once
  // with boost::system::system_error(operation_aborted); the call's eventual result is dropped,
  // and a call cancelled while it waited for a thread never starts. With the queue full it
  // throws OffloadQueueFull, after shutdown() std::runtime_error, without running `call`.
  template <typename Call>
  asio::awaitable<std::invoke_result_t<Call&>> run(Call call);

  // Stops taking work, fails queued calls, and waits up to `grace` for busy threads. A thread
  // still inside a call after that is detached, never joined. Returns how many were abandoned.
  // Call it before the event loops of awaiting coroutines are destroyed: a call that returns
  // after shutdown never resumes its caller.
  size_t shutdown(std::chrono::milliseconds grace);

  size_t busy_threads() const;
  size_t thread_count() const;
  size_t queued() const;  // calls waiting for a thread
  // Calls that got a thread since the pool started, and their waits for one, summed: the rate of
  // one over the other is the mean wait (netra_offload_wait_seconds_total).
  struct Waits {
    uint64_t started = 0;
    double waited_seconds = 0;
  };
  Waits waits() const;
  const std::string& name() const { return name_; }

 private:
  struct Shared;
  enum class Submitted { queued, full, stopped };
  // Queues `job`. `job(true)` runs the call, `job(false)` fails it.
  Submitted submit(std::function<void(bool run)> job);

  std::string name_;
  size_t max_queued_ = 0;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<detail::CompletionGate> gate_ = std::make_shared<detail::CompletionGate>();
};

namespace detail {

// One offloaded call: completed exactly once, by the pool thread or by cancellation.
template <typename Handler, typename Result>
struct OffloadOperation : std::enable_shared_from_this<OffloadOperation<Handler, Result>> {
  using Slot = asio::associated_cancellation_slot_t<Handler>;

  OffloadOperation(Handler h, std::shared_ptr<CompletionGate> g)
      : gate(std::move(g)),
        handler(std::move(h)),
        slot(asio::get_associated_cancellation_slot(*handler)),
        executor(asio::get_associated_executor(*handler)) {}

  // Completed already: cancelled while it waited for a thread, so it need not run.
  bool completed() {
    std::lock_guard lock(mutex);
    return !handler;
  }

  // `caller_alive`: completed while the caller is still initiating the call (refused at once),
  // so its executor is known to exist even after shutdown closed the gate.
  void complete(std::exception_ptr error, bool caller_alive = false) {
    std::unique_lock lock(mutex);
    if (!handler) return;
    auto h = std::move(*handler);
    handler.reset();
    lock.unlock();
    std::lock_guard gate_lock(gate->mutex);
    if (!gate->open && !caller_alive) {
      park_forever(std::make_shared<Handler>(std::move(h)));
      return;
    }
    // Always posted: the slot may only be cleared on the handler's executor, and never from
    // inside the cancellation callback that is running now.
    asio::post(executor, [self = this->shared_from_this(), h = std::move(h), error]() mutable {
      if (self->slot.is_connected()) self->slot.clear();
      std::move(h)(error);
    });
  }

  std::shared_ptr<CompletionGate> gate;
  std::mutex mutex;
  std::optional<Handler> handler;
  Slot slot;
  asio::associated_executor_t<Handler> executor;
  std::optional<Result> result;
};

struct Unit {};

}  // namespace detail

template <typename Call>
asio::awaitable<std::invoke_result_t<Call&>> OffloadPool::run(Call call) {
  using R = std::invoke_result_t<Call&>;
  using Stored = std::conditional_t<std::is_void_v<R>, detail::Unit, R>;
  std::shared_ptr<void> keep;  // the operation, to read the result after resumption
  std::optional<Stored>* result_holder = nullptr;

  co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
      [&](auto handler) {
        using Op = detail::OffloadOperation<std::decay_t<decltype(handler)>, Stored>;
        auto op = std::make_shared<Op>(std::move(handler), gate_);
        keep = op;
        result_holder = &op->result;
        if (op->slot.is_connected()) {
          op->slot.assign([weak = std::weak_ptr<Op>(op)](asio::cancellation_type) {
            if (auto o = weak.lock()) {
              o->complete(std::make_exception_ptr(boost::system::system_error(
                  asio::error::operation_aborted, "offloaded call cancelled")));
            }
          });
        }
        const Submitted queued = submit([op, call = std::move(call)](bool run) mutable {
          if (!run) {
            op->complete(std::make_exception_ptr(std::runtime_error("offload pool is shut down")));
            return;
          }
          if (op->completed()) return;  // its caller gave up while it was queued
          std::exception_ptr error;
          try {
            if constexpr (std::is_void_v<R>) {
              call();
              op->result.emplace();
            } else {
              op->result.emplace(call());
            }
          } catch (...) {
            error = std::current_exception();
          }
          op->complete(error);
        });
        if (queued == Submitted::stopped) {
          op->complete(std::make_exception_ptr(std::runtime_error("offload pool is shut down")),
                       true);
        } else if (queued == Submitted::full) {
          op->complete(std::make_exception_ptr(OffloadQueueFull(
                           "the " + name_ + " pool is full (" + std::to_string(max_queued_) +
                           " calls waiting); try again shortly")),
                       true);
        }
      },
      asio::use_awaitable);
  if constexpr (!std::is_void_v<R>) co_return std::move(**result_holder);
}

}  // namespace netra::core
