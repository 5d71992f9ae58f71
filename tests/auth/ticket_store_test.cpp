// WebSocket tickets: single use, for their user, until they expire; bounded.
#include "auth/ticket_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "support/manual_clock.hpp"
#include "support/run_awaitable.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono_literals;

struct TicketStoreTest : ::testing::Test {
  template <typename T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }
  Ticket issue(TicketStore& store, const std::string& user, std::chrono::seconds ttl = 300s) {
    auto ticket = run(store.issue(user, ttl));
    if (!ticket) throw std::runtime_error(ticket.error());
    return ticket.value();
  }
  asio::io_context io;
  testing::ManualClock clock;
};

TEST_F(TicketStoreTest, ATicketWorksOnceForItsUser) {
  TicketStore store({}, clock);
  const auto ticket = issue(store, "usr_a");
  EXPECT_EQ(ticket.id.rfind("tkt_", 0), 0u);
  EXPECT_EQ(ticket.user_id, "usr_a");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(ticket.expires_at), static_cast<double>(now + 300), 2.0);
  EXPECT_EQ(run(store.redeem(ticket.id)), std::optional<std::string>("usr_a"));
  EXPECT_EQ(run(store.redeem(ticket.id)), std::nullopt) << "used twice";
  EXPECT_EQ(run(store.redeem("tkt_unknown")), std::nullopt);
  EXPECT_EQ(store.outstanding(), 0u);
}

TEST_F(TicketStoreTest, AnExpiredTicketIsRefused) {
  TicketStore store({}, clock);
  const auto ticket = issue(store, "usr_a", 30s);
  clock.advance(29s);
  const auto still = issue(store, "usr_a", 30s);
  EXPECT_EQ(run(store.redeem(still.id)), std::optional<std::string>("usr_a"));
  clock.advance(2s);  // the first is now 31 s old
  EXPECT_EQ(run(store.redeem(ticket.id)), std::nullopt);
  EXPECT_EQ(store.outstanding(), 0u) << "an expired ticket is gone once presented";
}

TEST_F(TicketStoreTest, TtlOutsideTheLimitsIsRefused) {
  TicketStore store({}, clock);
  EXPECT_FALSE(run(store.issue("usr_a", 29s)));
  EXPECT_FALSE(run(store.issue("usr_a", 3601s)));
  EXPECT_TRUE(run(store.issue("usr_a", 30s)));
  EXPECT_TRUE(run(store.issue("usr_a", 3600s)));
}

TEST_F(TicketStoreTest, OneUserCannotFillTheStore) {
  TicketLimits limits;
  limits.max_per_user = 3;
  limits.max_total = 5;
  TicketStore store(limits, clock);
  const auto oldest = issue(store, "usr_a");
  clock.advance(1s);
  for (int i = 0; i < 5; ++i) {
    issue(store, "usr_a");
    clock.advance(1s);
  }
  EXPECT_EQ(store.outstanding(), 3u) << "usr_a's oldest made room for the newest";
  EXPECT_EQ(run(store.redeem(oldest.id)), std::nullopt);
  issue(store, "usr_b");
  issue(store, "usr_c");
  EXPECT_FALSE(run(store.issue("usr_d", 300s))) << "full";
  clock.advance(301s);
  EXPECT_TRUE(run(store.issue("usr_d", 300s))) << "expired ones are swept when full";
}

}  // namespace
}  // namespace netra::auth
