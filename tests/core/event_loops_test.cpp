#include "core/event_loops.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// A handler that throws (a callback from a C library, a timer's lambda) lets its exception out of
// io_context::run(): the loop reports it and serves what comes next, where the thread would
// otherwise end in std::terminate and take the process with it.
TEST(EventLoops, AnEscapedExceptionIsReportedAndTheLoopRunsOn) {
  core::EventLoops loops(1, 10ms);
  std::mutex mutex;
  std::vector<std::string> escaped;
  loops.observe_escapes([&](const core::LoopActivity& loop, const std::string& what) {
    std::lock_guard lock(mutex);
    escaped.push_back(loop.name() + ": " + what);
  });
  loops.start();
  asio::post(loops.context(0),
             [] { throw std::runtime_error("the redis reply was not what we expected"); });
  asio::post(loops.context(0), [] { throw 42; });
  auto after = asio::post(loops.context(0), asio::use_future([] { return 7; }));
  ASSERT_EQ(after.wait_for(5s), std::future_status::ready) << "the loop stopped turning";
  EXPECT_EQ(after.get(), 7);
  EXPECT_EQ(loops.stop(1s), 0u);
  std::lock_guard lock(mutex);
  EXPECT_EQ(escaped, (std::vector<std::string>{"loop-0: the redis reply was not what we expected",
                                               "loop-0: an exception of unknown type"}));
}

}  // namespace
}  // namespace netra::testing
