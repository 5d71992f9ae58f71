// SIGTERM: readiness drops at once, in-flight requests finish, the process exits 0; a second
// signal exits at once; systemd hears READY=1, WATCHDOG=1 and STOPPING=1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <thread>

#include "support/fixture_server.hpp"
#include "support/http_client.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

TEST(GracefulShutdown, InFlightRequestsFinishAndReadinessDropsAtOnce) {
  FixtureServer server("http", {"--set", "server.drain_delay_ms=400"});
  ASSERT_TRUE(server.wait_until_serving());
  std::vector<std::future<int>> requests;
  for (int i = 0; i < 5; ++i) {
    requests.push_back(std::async(std::launch::async, [port = server.port()] {
      auto r = http_get(port, "/api/fixture/slow?ms=700");
      return r ? r->status : -1;
    }));
  }
  std::this_thread::sleep_for(100ms);
  server.process().signal(SIGTERM);
  ASSERT_TRUE(server.process().wait_for_output("received SIGTERM", 2s));

  // During the drain delay: not ready, but alive and still serving.
  auto ready = http_get(server.port(), "/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_THAT(ready->body, HasSubstr("shutting down"));
  EXPECT_EQ(http_get(server.port(), "/health/live")->status, 200);

  for (auto& r : requests) {
    ASSERT_EQ(r.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(r.get(), 200) << "an in-flight request failed during shutdown";
  }
  EXPECT_EQ(server.process().wait(10s), 0) << server.process().output();
  const auto out = server.process().output();
  EXPECT_LT(out.find("[api] stopped"), out.find("[metrics] stopped"));
}

TEST(GracefulShutdown, IdleKeepAliveConnectionsAreClosed) {
  FixtureServer server("http");
  ASSERT_TRUE(server.wait_until_serving());
  TestHttpClient idle("127.0.0.1", server.port());
  ASSERT_EQ(idle.get("/health/live")->status, 200);
  const auto began = Clock::now();
  server.process().signal(SIGTERM);
  EXPECT_TRUE(idle.closed_within(2s));
  EXPECT_EQ(server.process().wait(5s), 0);
  EXPECT_LT(Clock::now() - began, 2s);
}

TEST(GracefulShutdown, SecondSignalExitsAtOnce) {
  FixtureServer server("http", {"--set", "server.drain_delay_ms=10000"});
  ASSERT_TRUE(server.wait_until_serving());
  server.process().signal(SIGTERM);
  ASSERT_TRUE(server.process().wait_for_output("received SIGTERM", 2s));
  const auto began = Clock::now();
  server.process().signal(SIGINT);
  EXPECT_EQ(server.process().wait(2s), 130);
  EXPECT_LT(Clock::now() - began, 1s);
}

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  NotifySocket() {
    path_ = "/tmp/netra-notify-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind " + path_);
    }
    timeval tv{0, 100 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // Messages received until `text` arrives or the deadline passes.
  std::vector<std::string> receive_until(const std::string& text,
                                         std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    while (Clock::now() < until) {
      char buffer[512];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        messages_.emplace_back(buffer, static_cast<size_t>(n));
        if (messages_.back() == text) break;
      }
    }
    return messages_;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

TEST(SystemdNotify, ReadyWatchdogAndStoppingReachTheNotifySocket) {
  NotifySocket notify;
  FixtureServer server("http", {}, {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}});
  ASSERT_TRUE(server.wait_until_serving());
  auto messages = notify.receive_until("READY=1", 3s);
  ASSERT_THAT(messages, ::testing::Contains("READY=1"));
  // Pings every 100 ms (half of WATCHDOG_USEC): several arrive within half a second.
  std::this_thread::sleep_for(500ms);
  server.process().signal(SIGTERM);
  messages = notify.receive_until("STOPPING=1", 3s);
  EXPECT_THAT(messages, ::testing::Contains("STOPPING=1"));
  EXPECT_GE(std::count(messages.begin(), messages.end(), "WATCHDOG=1"), 3);
  EXPECT_EQ(server.process().wait(5s), 0);
}

}  // namespace
}  // namespace netra::testing
