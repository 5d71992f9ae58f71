// ClusterSlots against a real Redis of the test's own: two instances' places meet one limit per
// key; a place given back frees room at once; the places of an instance that vanished lapse; a
// live place is counted again after Redis restarted empty; without Redis, and while it is frozen,
// a claim is `unshared` within the command deadline; places given back just before the client
// closes still reach Redis.
#include "redis/cluster_slots.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "redis/scratch_redis_test.hpp"

namespace netra::redis {
namespace {

using namespace std::chrono;
using Kind = ClusterSlots::Claim::Kind;

class ClusterSlotsTest : public ScratchRedisTest {
 protected:
  ClusterSlotsTest() { connect(); }
  std::shared_ptr<ClusterSlots> instance(milliseconds ttl = ClusterSlots::kTtl,
                                         milliseconds refresh = ClusterSlots::kRefreshEvery) {
    auto slots = ClusterSlots::create("sockets", ttl, refresh);
    slots->share_through(client_);
    return slots;
  }
  ClusterSlots::Claim claim(ClusterSlots& slots, const std::string& key, const std::string& member,
                            size_t limit) {
    return run(slots.claim(key, member, limit));
  }
  int64_t members(const std::string& key) {
    return std::stoll(redis_->cli({"ZCARD", "netra:slots:sockets:" + key}));
  }
};

TEST_F(ClusterSlotsTest, TwoInstancesMeetOneLimitPerKeyAndAPlaceGivenBackIsFreeAtOnce) {
  auto on_a = instance();
  auto on_b = instance();
  auto first = claim(*on_a, "usr_1", "ws_a1", 3);
  auto second = claim(*on_b, "usr_1", "ws_b1", 3);
  auto third = claim(*on_a, "usr_1", "ws_a2", 3);
  EXPECT_EQ(first.kind, Kind::held);
  EXPECT_EQ(second.kind, Kind::held);
  EXPECT_EQ(third.kind, Kind::held);
  EXPECT_EQ(third.count, 3u);
  auto fourth = claim(*on_b, "usr_1", "ws_b2", 3);
  EXPECT_EQ(fourth.kind, Kind::full);
  EXPECT_EQ(fourth.count, 3u);
  EXPECT_FALSE(fourth.hold) << "a refused claim holds nothing";
  EXPECT_EQ(claim(*on_b, "usr_2", "ws_b3", 3).kind, Kind::held) << "another key counts apart";
  EXPECT_EQ(on_a->held(), 2u);

  second.hold.reset();  // B's socket closed
  for (int i = 0; i < 100 && members("usr_1") != 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(members("usr_1"), 2);
  EXPECT_EQ(claim(*on_a, "usr_1", "ws_a3", 3).kind, Kind::held);
}

// A stopping instance closes its sockets, then Redis: the places they gave back on their way out
// must reach Redis, or they count against their users until they lapse (30 s).
TEST_F(ClusterSlotsTest, PlacesGivenBackJustBeforeRedisClosesAreRemovedFromRedis) {
  auto slots = instance();
  std::vector<ClusterSlots::Claim> claims;
  for (int i = 0; i < 5; ++i)
    claims.push_back(claim(*slots, "usr_1", "ws_" + std::to_string(i), 10));
  ASSERT_EQ(members("usr_1"), 5);
  claims.clear();  // the sockets closed
  run(client_->close());
  EXPECT_EQ(members("usr_1"), 0) << "places given back were dropped by the close";
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(ClusterSlotsTest, AVanishedInstancesPlacesLapseAndLivePlacesAreRefreshed) {
  auto alive = instance(milliseconds(600), milliseconds(150));
  auto held = claim(*alive, "usr_1", "ws_alive", 2);
  {
    // An instance that dies keeps its places in Redis until they lapse: it never gives them back.
    auto vanished = instance(milliseconds(600), milliseconds(150));
    auto kept = claim(*vanished, "usr_1", "ws_dead", 2);
    ASSERT_EQ(kept.kind, Kind::held);
    vanished.reset();  // its places outlive it (the hold no longer reaches it)
  }
  EXPECT_EQ(claim(*alive, "usr_1", "ws_new", 2).kind, Kind::full);
  std::this_thread::sleep_for(milliseconds(900));
  // Refreshed every 150 ms, the live place stays; the dead one lapsed.
  auto after = claim(*alive, "usr_1", "ws_new", 2);
  EXPECT_EQ(after.kind, Kind::held);
  EXPECT_EQ(after.count, 2u);
  const auto dead_score = redis_->cli({"ZSCORE", "netra:slots:sockets:usr_1", "ws_dead"});
  EXPECT_EQ(dead_score.find_first_of("0123456789"), std::string::npos) << dead_score;
}

TEST_F(ClusterSlotsTest, LivePlacesAreCountedAgainAfterRedisLostThem) {
  auto slots = instance(milliseconds(5000), milliseconds(150));
  auto one = claim(*slots, "usr_1", "ws_1", 2);
  auto two = claim(*slots, "usr_1", "ws_2", 2);
  ASSERT_EQ(two.kind, Kind::held);
  redis_->cli({"FLUSHALL"});  // as a Redis restarted without persistence
  for (int i = 0; i < 100 && members("usr_1") != 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(members("usr_1"), 2);
  EXPECT_EQ(claim(*slots, "usr_1", "ws_3", 2).kind, Kind::full);
}

TEST_F(ClusterSlotsTest, WithoutRedisOrWhileItIsFrozenAClaimIsUnsharedAndStillHeld) {
  auto alone = ClusterSlots::create("sockets");  // one instance: no Redis configured
  auto claimed = run(alone->claim("usr_1", "ws_1", 1));
  EXPECT_EQ(claimed.kind, Kind::unshared);
  EXPECT_FALSE(claimed.hold) << "nothing to refresh without Redis";
  EXPECT_EQ(alone->held(), 0u);

  auto slots = instance(milliseconds(5000), milliseconds(200));
  redis_->freeze();
  const auto started = steady_clock::now();
  auto frozen = claim(*slots, "usr_1", "ws_f", 1);
  EXPECT_EQ(frozen.kind, Kind::unshared);
  EXPECT_TRUE(frozen.hold) << "held, to be counted when Redis answers";
  EXPECT_LT(steady_clock::now() - started, milliseconds(1000)) << "a claim waited on Redis";
  redis_->thaw();
  // Counted once Redis answers again: the refresh adds it.
  for (int i = 0; i < 200 && members("usr_1") != 1; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(members("usr_1"), 1);
  EXPECT_EQ(claim(*slots, "usr_1", "ws_g", 1).kind, Kind::full);
}

}  // namespace
}  // namespace netra::redis
