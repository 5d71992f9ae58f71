#include "core/offload_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "support/run_awaitable.hpp"

namespace netra::core {
namespace {

using namespace std::chrono_literals;
using netra::testing::run_awaitable;

struct PoolTest : ::testing::Test {
  PoolTest() : work(io.get_executor()), thread([this] { io.run(); }) {}
  ~PoolTest() override {
    work.reset();
    io.stop();
    thread.join();
  }
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
};

TEST_F(PoolTest, ReturnsTheResultOnTheCallersExecutor) {
  OffloadPool pool(2);
  auto caller = std::this_thread::get_id();
  (void)caller;
  auto result = run_awaitable(io.get_executor(), [&]() -> asio::awaitable<std::pair<int, bool>> {
    const auto loop_thread = std::this_thread::get_id();
    int value = co_await pool.run([&] {
      EXPECT_NE(std::this_thread::get_id(), loop_thread) << "ran on the event loop";
      return 42;
    });
    co_return std::pair{value, std::this_thread::get_id() == loop_thread};
  }());
  EXPECT_EQ(result.first, 42);
  EXPECT_TRUE(result.second) << "resumed on another thread than the caller's loop";
}

TEST_F(PoolTest, RethrowsWhatTheCallThrew) {
  OffloadPool pool(1);
  EXPECT_THROW(
      run_awaitable(io.get_executor(),
                    [&]() -> asio::awaitable<void> {
                      co_await pool.run([]() -> void { throw std::invalid_argument("bad"); });
                    }()),
      std::invalid_argument);
}

TEST_F(PoolTest, CancellationResumesAtOnceWhileTheCallStillBlocks) {
  OffloadPool pool(1);
  asio::cancellation_signal signal;
  auto future = asio::co_spawn(io, pool.run([] { std::this_thread::sleep_for(400ms); }),
                               asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  std::this_thread::sleep_for(30ms);
  const auto began = std::chrono::steady_clock::now();
  asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
  // Long before the call returns (400 ms): it resumed at the cancellation, not at the call's end.
  ASSERT_EQ(future.wait_for(250ms), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 250ms);
  EXPECT_THROW(future.get(), boost::system::system_error);
  EXPECT_EQ(pool.shutdown(1s), 0u) << "the call finished within the grace period";
}

TEST_F(PoolTest, ShutdownFailsQueuedCallsAndRefusesNewOnes) {
  OffloadPool pool(1);
  auto blocker =
      asio::co_spawn(io, pool.run([] { std::this_thread::sleep_for(200ms); }), asio::use_future);
  std::this_thread::sleep_for(20ms);
  auto queued = asio::co_spawn(io, pool.run([] { return 1; }), asio::use_future);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(pool.shutdown(10ms), 1u);
  ASSERT_EQ(queued.wait_for(1s), std::future_status::ready);
  EXPECT_THROW(queued.get(), std::runtime_error);
  // Refused at once, not by run_awaitable's own timeout (also a runtime_error).
  const auto began = std::chrono::steady_clock::now();
  EXPECT_THROW(run_awaitable(io.get_executor(), pool.run([] { return 2; })), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s) << "the refused call never resumed";
}

// Holds a pool's only thread until released, so that later calls queue.
struct Blocker {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto call() {
    return [f = released] { f.wait_for(10s); };
  }
};

TEST_F(PoolTest, ACallCancelledWhileQueuedNeverStarts) {
  OffloadPool pool(1);
  Blocker blocker;
  auto held = asio::co_spawn(io, pool.run(blocker.call()), asio::use_future);
  std::atomic<bool> ran{false};
  asio::cancellation_signal signal;
  auto queued = asio::co_spawn(io, pool.run([&ran] { ran = true; }),
                               asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  while (pool.queued() == 0) std::this_thread::sleep_for(1ms);
  asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
  EXPECT_THROW(queued.get(), boost::system::system_error);
  blocker.release.set_value();
  held.get();
  // A call queued after it runs only once the cancelled one has been passed over.
  EXPECT_EQ(run_awaitable(io.get_executor(), pool.run([] { return 7; })), 7);
  EXPECT_FALSE(ran.load()) << "a call its caller gave up on ran anyway";
}

TEST_F(PoolTest, AFullQueueRefusesInsteadOfGrowing) {
  OffloadPool pool(1, "hashing", 2);
  Blocker blocker;
  auto held = asio::co_spawn(io, pool.run(blocker.call()), asio::use_future);
  while (pool.busy_threads() == 0) std::this_thread::sleep_for(1ms);
  auto first = asio::co_spawn(io, pool.run([] { return 1; }), asio::use_future);
  auto second = asio::co_spawn(io, pool.run([] { return 2; }), asio::use_future);
  while (pool.queued() < 2) std::this_thread::sleep_for(1ms);
  try {
    run_awaitable(io.get_executor(), pool.run([] { return 3; }));
    ADD_FAILURE() << "a third queued call was accepted";
  } catch (const OffloadQueueFull& e) {
    EXPECT_NE(std::string(e.what()).find("hashing pool is full (2 calls waiting)"),
              std::string::npos)
        << e.what();
  }
  blocker.release.set_value();
  held.get();
  EXPECT_EQ(first.get() + second.get(), 3) << "the queued calls still run";
}

}  // namespace
}  // namespace netra::core
