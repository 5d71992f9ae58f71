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
  Ticket issue(TicketStore& store, const std::string& user, std::chrono::seconds ttl = 60s) {
    auto ticket = run(store.issue(TicketOwner{user, "fam_" + user, 0}, ttl));
    if (!ticket) throw std::runtime_error(ticket.error());
    return ticket.value();
  }
  // Who redeemed the ticket, or "" when it was refused.
  std::string redeemer(TicketStore& store, const std::string& id) {
    auto owner = run(store.redeem(id));
    return owner ? owner->user_id : "";
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
  EXPECT_NEAR(static_cast<double>(ticket.expires_at), static_cast<double>(now + 60), 2.0);
  auto owner = run(store.redeem(ticket.id));
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->user_id, "usr_a");
  EXPECT_EQ(owner->session_id, "fam_usr_a") << "the socket it opens ends with that login";
  EXPECT_EQ(run(store.redeem(ticket.id)), std::nullopt) << "used twice";
  EXPECT_EQ(run(store.redeem("tkt_unknown")), std::nullopt);
  EXPECT_EQ(store.outstanding(), 0u);
}

TEST_F(TicketStoreTest, AnExpiredTicketIsRefused) {
  TicketStore store({}, clock);
  const auto ticket = issue(store, "usr_a", 30s);
  clock.advance(29s);
  const auto still = issue(store, "usr_a", 30s);
  EXPECT_EQ(redeemer(store, still.id), "usr_a");
  clock.advance(2s);  // the first is now 31 s old
  EXPECT_EQ(run(store.redeem(ticket.id)), std::nullopt);
  EXPECT_EQ(store.outstanding(), 0u) << "an expired ticket is gone once presented";
}

TEST_F(TicketStoreTest, TtlOutsideTheLimitsIsRefused) {
  // A ticket rides in a URL: by default it lives a minute at most.
  TicketStore store({}, clock);
  EXPECT_FALSE(run(store.issue(TicketOwner{"usr_a", "", 0}, 4s)));
  EXPECT_FALSE(run(store.issue(TicketOwner{"usr_a", "", 0}, 61s)));
  EXPECT_TRUE(run(store.issue(TicketOwner{"usr_a", "", 0}, 5s)));
  EXPECT_TRUE(run(store.issue(TicketOwner{"usr_a", "", 0}, 60s)));
  EXPECT_EQ(store.limits().default_ttl, 30s);
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
  EXPECT_FALSE(run(store.issue(TicketOwner{"usr_d", "", 0}, 60s))) << "full";
  clock.advance(61s);
  EXPECT_TRUE(run(store.issue(TicketOwner{"usr_d", "", 0}, 60s)))
      << "expired ones are swept when full";
}

TEST_F(TicketStoreTest, ExpiredTicketsLeaveInExpiryOrderAndRedeemedOnesLeaveEveryIndex) {
  TicketLimits limits;
  limits.max_per_user = 2;
  TicketStore store(limits, clock);
  const auto long_lived = issue(store, "usr_a", 60s);
  const auto short_lived = issue(store, "usr_b", 5s);
  clock.advance(6s);
  issue(store, "usr_c", 60s);  // sweeps what expired, and only that
  EXPECT_EQ(store.outstanding(), 2u) << "usr_b's 5 s ticket left; usr_a's 60 s one stayed";
  EXPECT_EQ(run(store.redeem(short_lived.id)), std::nullopt);
  EXPECT_EQ(redeemer(store, long_lived.id), "usr_a");
  // usr_a's redeemed ticket no longer counts against their share: two more fit without eviction.
  const auto first = issue(store, "usr_a", 60s);
  issue(store, "usr_a", 60s);
  EXPECT_EQ(redeemer(store, first.id), "usr_a") << "nothing of usr_a's was evicted";
  // Many users' tickets, all expired: the next issue sweeps them all.
  for (int i = 0; i < 1000; ++i) issue(store, "usr_" + std::to_string(i), 5s);
  clock.advance(61s);
  issue(store, "usr_z", 5s);
  EXPECT_EQ(store.outstanding(), 1u);
}

}  // namespace
}  // namespace netra::auth
