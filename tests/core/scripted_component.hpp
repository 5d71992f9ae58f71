// ScriptedComponent: a synthetic component for engine tests (test fixture only). Each start
// attempt follows a script: take some time, fail, hang, block in the offload pool or block the
// event loop. Starts and stops are recorded in a shared, ordered journal.
#pragma once

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/component.hpp"
#include "core/offload_pool.hpp"

namespace netra::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class Journal {
 public:
  void add(std::string entry) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  // Position of an entry, or -1.
  int index_of(const std::string& entry) const {
    auto all = entries();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i] == entry) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

enum class Behaviour {
  succeed,                       // after `delay`
  fail,                          // after `delay`
  hang,                          // awaits forever, but honours cancellation
  hang_ignoring_cancel,          // awaits forever and ignores cancellation
  block_in_offload,              // an offloaded blocking call that never returns
  block_loop,                    // blocks the event-loop thread for `delay`, then succeeds
  succeed_late_ignoring_cancel,  // ignores cancellation and succeeds after `delay`
};

struct Script {
  // Behaviour of attempt k is behaviours[k-1]; the last one repeats.
  std::vector<Behaviour> behaviours{Behaviour::succeed};
  std::chrono::milliseconds delay{0};
  Behaviour stop_behaviour = Behaviour::succeed;
};

class ScriptedComponent final : public core::Component {
 public:
  ScriptedComponent(core::ComponentSpec spec, Script script, std::shared_ptr<Journal> journal)
      : core::Component(std::move(spec)),
        script_(std::move(script)),
        journal_(std::move(journal)) {}

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override {
    journal_->add("start " + name() + " #" + std::to_string(ctx.attempt));
    const auto& list = script_.behaviours;
    const Behaviour b = list[std::min<size_t>(ctx.attempt - 1, list.size() - 1)];
    co_return co_await perform(b, ctx, "start");
  }

  void prepare(core::OffloadPool&, const asio::any_io_executor&) override {
    journal_->add("prepare " + name());
  }

  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override {
    journal_->add("stop " + name());
    co_return co_await perform(script_.stop_behaviour, ctx, "stop");
  }

 private:
  asio::awaitable<core::Status> perform(Behaviour b, core::LifecycleContext& ctx,
                                        const char* what) {
    auto executor = co_await asio::this_coro::executor;
    switch (b) {
      case Behaviour::succeed:
      case Behaviour::fail: {
        if (script_.delay.count() > 0) {
          asio::steady_timer timer(executor, script_.delay);
          co_await timer.async_wait(asio::use_awaitable);
        }
        if (b == Behaviour::fail)
          co_return core::Status::error(name() + " scripted failure in " + what);
        co_return core::Status::ok();
      }
      case Behaviour::hang: {
        asio::steady_timer timer(executor, asio::steady_timer::time_point::max());
        co_await timer.async_wait(asio::use_awaitable);
        co_return core::Status::error("unreachable");
      }
      case Behaviour::hang_ignoring_cancel:
      case Behaviour::succeed_late_ignoring_cancel: {
        // An empty slot: the engine's cancellation never reaches this wait.
        asio::steady_timer timer(executor);
        if (b == Behaviour::hang_ignoring_cancel) {
          timer.expires_at(asio::steady_timer::time_point::max());
        } else {
          timer.expires_after(script_.delay);
        }
        co_await timer.async_wait(
            asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
        co_return core::Status::ok();
      }
      case Behaviour::block_in_offload: {
        co_await ctx.offload->run([] { std::this_thread::sleep_for(std::chrono::hours(1)); });
        co_return core::Status::error("unreachable");
      }
      case Behaviour::block_loop: {
        std::this_thread::sleep_for(script_.delay);
        co_return core::Status::ok();
      }
    }
    co_return core::Status::error("unknown behaviour");
  }

  Script script_;
  std::shared_ptr<Journal> journal_;
};

}  // namespace netra::testing
