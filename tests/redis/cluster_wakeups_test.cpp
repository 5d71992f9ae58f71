// ClusterWakeups against a real Redis of the test's own, two instances each with a client of its
// own: a nudge published by one wakes the other and not itself; a burst of nudges goes out as a
// few; each is woken when its subscriber has subscribed (what was published before is missed);
// without Redis, publishing does nothing.
#include "redis/cluster_wakeups.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <thread>

#include "redis/scratch_redis_test.hpp"

namespace netra::redis {
namespace {

using namespace std::chrono;

class ClusterWakeupsTest : public ScratchRedisTest {
 protected:
  struct Instance {
    std::shared_ptr<ClusterWakeups> wakeups;
    std::shared_ptr<RedisClient> client;
    std::shared_ptr<std::atomic<int>> woken = std::make_shared<std::atomic<int>>(0);
  };

  ClusterWakeupsTest() { redis_ = std::make_unique<testing::ScratchRedis>(); }
  ~ClusterWakeupsTest() override {
    for (auto& i : instances_) run(i.client->close());
  }

  // Wired before its client opens, as the service does.
  Instance& instance(const std::string& id) {
    RedisSettings settings;
    settings.url = redis_->url();
    Instance i;
    i.client = std::make_shared<RedisClient>(
        client_options(settings).value(),
        std::vector<asio::any_io_executor>{loops_.context(0).get_executor()});
    i.wakeups = ClusterWakeups::create("netra:jobs", id);
    i.wakeups->share_through(i.client);
    i.wakeups->listen([woken = i.woken] { ++*woken; });
    auto error = run(i.client->open(core::Deadline::after(seconds(5))));
    EXPECT_FALSE(error) << error->message;
    instances_.push_back(std::move(i));
    return instances_.back();
  }

  static bool reaches(const std::atomic<int>& value, int want) {
    for (int i = 0; i < 500 && value.load() < want; ++i) std::this_thread::sleep_for(10ms);
    return value.load() >= want;
  }

  std::deque<Instance> instances_;  // references stay valid as it grows
};

TEST_F(ClusterWakeupsTest, ANudgeWakesTheOtherInstancesAndNotItself) {
  auto& a = instance("ins_a");
  auto& b = instance("ins_b");
  // Subscribed: each was woken once, for what it may have missed before.
  ASSERT_TRUE(reaches(*a.woken, 1));
  ASSERT_TRUE(reaches(*b.woken, 1));
  const int a_before = a.woken->load();

  a.wakeups->publish();
  EXPECT_TRUE(reaches(*b.woken, 2)) << "b hears a's nudge";
  for (int i = 0; i < 100 && a.wakeups->published() < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(a.wakeups->published(), 1u);
  EXPECT_EQ(b.wakeups->heard(), 1u);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(a.woken->load(), a_before) << "its own nudge does not wake it";
  EXPECT_EQ(a.wakeups->heard(), 0u);

  b.wakeups->publish();
  EXPECT_TRUE(reaches(*a.woken, a_before + 1)) << "and the other way round";
}

TEST_F(ClusterWakeupsTest, ABurstOfNudgesGoesOutAsAFew) {
  auto& a = instance("ins_a");
  auto& b = instance("ins_b");
  ASSERT_TRUE(reaches(*b.woken, 1));
  for (int i = 0; i < 1000; ++i) a.wakeups->publish();
  ASSERT_TRUE(reaches(*b.woken, 2));
  std::this_thread::sleep_for(300ms);
  EXPECT_GE(a.wakeups->published(), 1u);
  EXPECT_LT(a.wakeups->published(), 100u) << "nudges asked for while one is sent are one more";
  EXPECT_EQ(b.wakeups->heard(), a.wakeups->published());
}

TEST_F(ClusterWakeupsTest, WithoutRedisPublishingDoesNothing) {
  auto alone = ClusterWakeups::create("netra:jobs", "ins_alone");
  int woken = 0;
  alone->listen([&woken] { ++woken; });
  alone->publish();
  EXPECT_EQ(alone->published(), 0u);
  EXPECT_EQ(woken, 0);
}

}  // namespace
}  // namespace netra::redis
