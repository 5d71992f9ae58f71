// run_awaitable: runs a coroutine on an executor from a test thread and waits for it under a
// deadline, so a test that would hang fails instead.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <stdexcept>

namespace netra::testing {

template <typename T, typename Executor>
T run_awaitable(const Executor& executor, boost::asio::awaitable<T> task,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  auto future = boost::asio::co_spawn(executor, std::move(task), boost::asio::use_future);
  if (future.wait_for(deadline) != std::future_status::ready) {
    throw std::runtime_error("coroutine did not finish within the test deadline");
  }
  return future.get();
}

}  // namespace netra::testing
