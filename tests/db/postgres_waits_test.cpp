// The PostgreSQL driver's waits on its socket under a statement's deadline, when both come due
// at once. A loop blocked past both (a busy loop; a slow host) serves the answer first and the
// expired deadline after it; by then the caller may have closed the connection, and the deadline
// must touch nothing of it. It used to cancel the socket's last, finished wait through that
// socket's freed state: the process died (found under callgrind, where the loop stalls for
// seconds). This build's AddressSanitizer reports such a use after free.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <thread>

#include "core/offload_pool.hpp"
#include "db/detail/postgres_driver.hpp"
#include "support/test_servers.hpp"

namespace netra::db::detail {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(PostgresWaits, ADeadlineDueWithTheAnswerTouchesNothingOnceTheConnectionIsClosed) {
  if (!netra::testing::have_test_server("TEST_POSTGRES_URL")) GTEST_SKIP() << "no PostgreSQL";
  core::OffloadPool offload(1, "test-offload");
  PostgresDriver driver(netra::testing::test_server("TEST_POSTGRES_URL"), {}, offload);
  asio::io_context loop;
  int answered = 0;
  auto rounds = [&]() -> asio::awaitable<void> {
    for (int round = 0; round < 5; ++round) {
      auto opened = co_await driver.connect(core::Deadline::after(5s));
      if (!opened) throw std::runtime_error(opened.error());
      auto connection = std::move(opened.value());
      // Runs once the statement below waits for its answer, and holds the loop until both the
      // answer and the deadline are there.
      asio::post(loop, [] { std::this_thread::sleep_for(300ms); });
      auto result = co_await connection->execute("SELECT 1", {}, core::Deadline::after(100ms));
      if (result) ++answered;
      connection.reset();  // before the loop runs the deadline's handler
    }
  };
  auto done = asio::co_spawn(loop, rounds(), asio::use_future);
  loop.run_for(30s);
  ASSERT_EQ(done.wait_for(0s), std::future_status::ready) << "the rounds did not finish";
  done.get();
  // The answer is served before the deadline's handler runs, so the statement succeeded.
  EXPECT_EQ(answered, 5);
}

}  // namespace
}  // namespace netra::db::detail
