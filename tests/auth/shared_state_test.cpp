// Two instances' worth of auth state sharing one real Redis (ScratchRedis): a ticket issued by
// one is redeemed once by any; a login revoked on one is revoked on the other within a second,
// also for an instance that subscribes later, and one revoked while Redis is frozen is shared
// once it answers. Without Redis, each store falls back to its own process.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/revoked_sessions.hpp"
#include "auth/shared_revocations.hpp"
#include "auth/ticket_store.hpp"
#include "core/clock.hpp"
#include "core/event_loops.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"
#include "support/run_awaitable.hpp"
#include "support/scratch_redis.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono;
using testing::run_awaitable;

// Polls `done` every 10 ms for up to `limit`.
template <typename Predicate>
bool within(milliseconds limit, Predicate done) {
  const auto until = steady_clock::now() + limit;
  while (!done()) {
    if (steady_clock::now() > until) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class SharedStateTest : public ::testing::Test {
 protected:
  SharedStateTest() : loops_(2, milliseconds(50)) { loops_.start(); }
  ~SharedStateTest() override {
    for (auto& client : clients_) run(client->close());
    loops_.stop(seconds(2));
  }

  // A client as one instance has it (not opened yet).
  std::shared_ptr<redis::RedisClient> client() {
    redis::RedisSettings settings;
    settings.url = redis_.url();
    settings.command_timeout = milliseconds(300);
    auto client = std::make_shared<redis::RedisClient>(
        redis::client_options(settings).value(),
        std::vector<asio::any_io_executor>{loops_.context(0).get_executor(),
                                           loops_.context(1).get_executor()});
    clients_.push_back(client);
    return client;
  }
  void open(redis::RedisClient& client) {
    auto error = run(client.open(core::Deadline::after(seconds(5))));
    ASSERT_FALSE(error) << error->message;
  }
  template <typename T>
  T run(asio::awaitable<T> task) {
    return run_awaitable(loops_.context(0).get_executor(), std::move(task));
  }

  std::string redeemer(TicketStore& store, const std::string& id) {
    auto owner = run(store.redeem(id));
    return owner ? owner->user_id + "/" + owner->session_id : "";
  }

  testing::ScratchRedis redis_;
  core::EventLoops loops_;
  std::vector<std::shared_ptr<redis::RedisClient>> clients_;
  // Each instance's revoked logins: they outlive the clients (closed first), as in the service.
  RevokedSessions sessions_[3];
};

TEST_F(SharedStateTest, ATicketIssuedOnOneInstanceIsRedeemedOnceOnAnyOther) {
  TicketStore a, b, c;
  auto on_a = client(), on_b = client(), on_c = client();
  a.share_through(on_a);
  b.share_through(on_b);
  c.share_through(on_c);
  open(*on_a);
  open(*on_b);
  open(*on_c);
  auto ticket = run(a.issue({"usr_1", "ses_1", 1234}, seconds(30)));
  ASSERT_TRUE(ticket) << ticket.error();
  EXPECT_EQ(a.outstanding(), 0u) << "the ticket was kept in process, not in Redis";
  EXPECT_EQ(redeemer(b, ticket->id), "usr_1/ses_1");
  EXPECT_EQ(redeemer(c, ticket->id), "") << "a ticket worked twice";
  EXPECT_EQ(redeemer(a, ticket->id), "");
  EXPECT_EQ(redeemer(b, "tkt_unknown"), "");
  const auto ttl = redis_.cli({"TTL", "netra:ticket:" + ticket->id});
  EXPECT_EQ(ttl, "-2\n") << "a redeemed ticket is gone from Redis";
}

TEST_F(SharedStateTest, OneUserKeepsAtMostTheLimitOfTicketsAcrossInstances) {
  TicketLimits limits;
  limits.max_per_user = 3;
  TicketStore a(limits), b(limits);
  auto on_a = client(), on_b = client();
  a.share_through(on_a);
  b.share_through(on_b);
  open(*on_a);
  open(*on_b);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto ticket = run((i % 2 == 0 ? a : b).issue({"usr_2", "ses_2", 0}, seconds(30)));
    ASSERT_TRUE(ticket) << ticket.error();
    ids.push_back(ticket->id);
  }
  // The two oldest made room for the newest; the newest three work.
  EXPECT_EQ(redeemer(b, ids[0]), "");
  EXPECT_EQ(redeemer(a, ids[1]), "");
  for (int i = 2; i < 5; ++i) EXPECT_EQ(redeemer(i % 2 ? a : b, ids[i]), "usr_2/ses_2") << i;
}

TEST_F(SharedStateTest, WhileRedisIsFrozenTicketsAreIssuedAndRedeemedInProcessWithinTheDeadline) {
  TicketStore a;
  auto on_a = client();
  a.share_through(on_a);
  open(*on_a);
  redis_.freeze();
  const auto started = steady_clock::now();
  auto ticket = run(a.issue({"usr_3", "ses_3", 0}, seconds(30)));
  ASSERT_TRUE(ticket) << ticket.error();
  EXPECT_LT(steady_clock::now() - started, milliseconds(1000));
  EXPECT_EQ(a.outstanding(), 1u) << "kept in process while Redis does not answer";
  EXPECT_EQ(redeemer(a, ticket->id), "usr_3/ses_3");
  redis_.thaw();
}

TEST_F(SharedStateTest, ALoginRevokedOnOneInstanceIsRevokedOnTheOthersWithinASecond) {
  auto& on_a_sessions = sessions_[0];
  auto& on_b_sessions = sessions_[1];
  auto on_a = client(), on_b = client();
  std::make_shared<SharedRevocations>(on_a_sessions, on_a, loops_.context(0).get_executor())
      ->attach();
  std::make_shared<SharedRevocations>(on_b_sessions, on_b, loops_.context(1).get_executor())
      ->attach();
  std::atomic<int> closed_on_b{0};
  on_b_sessions.listen([&](const std::string& sid) {
    if (sid == "ses_logout") ++closed_on_b;
  });
  open(*on_a);
  open(*on_b);
  const int64_t until = core::unix_seconds_now() + 900;
  on_a_sessions.revoke("ses_logout", until);
  EXPECT_TRUE(within(milliseconds(1000), [&] {
    return on_b_sessions.revoked("ses_logout", core::unix_seconds_now());
  })) << "instance B still accepts the login revoked on A";
  EXPECT_TRUE(within(milliseconds(1000), [&] { return closed_on_b.load() == 1; }))
      << "B's sockets of that login were not told to close";
  EXPECT_FALSE(on_b_sessions.revoked("ses_other", core::unix_seconds_now()));

  // An instance that starts later reads what was revoked before it subscribed.
  auto& on_c_sessions = sessions_[2];
  auto on_c = client();
  std::make_shared<SharedRevocations>(on_c_sessions, on_c, loops_.context(0).get_executor())
      ->attach();
  open(*on_c);
  EXPECT_TRUE(within(milliseconds(1000), [&] {
    return on_c_sessions.revoked("ses_logout", core::unix_seconds_now());
  }));
  // Heard back by A itself, it is not published again: one message for one logout.
  std::this_thread::sleep_for(milliseconds(200));
  const auto stats = redis_.cli({"INFO", "commandstats"});
  EXPECT_NE(stats.find("cmdstat_publish:calls=1,"), std::string::npos) << stats;
}

TEST_F(SharedStateTest, ARevocationMadeWhileRedisIsFrozenIsSharedOnceItAnswers) {
  auto& on_a_sessions = sessions_[0];
  auto& on_b_sessions = sessions_[1];
  auto on_a = client(), on_b = client();
  auto shared_a =
      std::make_shared<SharedRevocations>(on_a_sessions, on_a, loops_.context(0).get_executor());
  shared_a->attach();
  std::make_shared<SharedRevocations>(on_b_sessions, on_b, loops_.context(1).get_executor())
      ->attach();
  open(*on_a);
  open(*on_b);
  redis_.freeze();
  on_a_sessions.revoke("ses_frozen", core::unix_seconds_now() + 900);
  EXPECT_TRUE(on_a_sessions.revoked("ses_frozen", core::unix_seconds_now()))
      << "the instance that revoked it never waits for Redis";
  EXPECT_TRUE(within(milliseconds(2000), [&] { return shared_a->unsent() == 1; }));
  redis_.thaw();
  EXPECT_TRUE(within(milliseconds(15000), [&] {
    return on_b_sessions.revoked("ses_frozen", core::unix_seconds_now());
  })) << "the revocation made during the outage never reached B";
  EXPECT_EQ(shared_a->unsent(), 0u);
}

}  // namespace
}  // namespace netra::auth
