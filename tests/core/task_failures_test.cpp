#include "core/task_failures.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/event_loops.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// Collects what is reported, and restores stderr reporting when the test ends.
class TaskFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    core::report_task_failures_to([this](std::string_view task, std::string_view what) {
      std::lock_guard lock(mutex_);
      reports_.push_back(std::string(task) + ": " + std::string(what));
    });
  }
  void TearDown() override { core::report_task_failures_to(nullptr); }
  std::vector<std::string> reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> reports_;
};

asio::awaitable<void> fails() {
  throw std::runtime_error("the reply was not what we expected");
  co_return;
}

asio::awaitable<int> succeeds() {
  co_return 7;
}

// A handler that throws (a callback from a C library, a timer's lambda) lets its exception out of
// io_context::run(): the loop reports it and serves what comes next, where the thread would
// otherwise end in std::terminate and take the process with it.
TEST_F(TaskFailures, AHandlerThatThrowsIsReportedAndItsLoopRunsOn) {
  core::EventLoops loops(1, 10ms);
  loops.start();
  asio::post(loops.context(0), [] { throw std::runtime_error("a callback threw"); });
  asio::post(loops.context(0), [] { throw 42; });
  auto after = asio::post(loops.context(0), asio::use_future([] { return 7; }));
  ASSERT_EQ(after.wait_for(5s), std::future_status::ready) << "the loop stopped turning";
  EXPECT_EQ(after.get(), 7);
  EXPECT_EQ(loops.stop(1s), 0u);
  EXPECT_EQ(reports(),
            (std::vector<std::string>{"a handler on loop-0: a callback threw",
                                      "a handler on loop-0: an exception of unknown type"}));
}

// asio::detached drops a task's exception without a word; detached_reporting names the task.
TEST_F(TaskFailures, ADetachedTaskThatThrowsIsReportedByName) {
  asio::io_context io;
  asio::co_spawn(io, fails(), core::detached_reporting("the event fan-out"));
  asio::co_spawn(io, succeeds(), core::detached_reporting("a task that returns"));
  io.run();
  EXPECT_EQ(reports(),
            std::vector<std::string>{"the event fan-out: the reply was not what we expected"});
}

}  // namespace
}  // namespace netra::testing
