// SharedCache: in process, an answer is kept for its TTL and dropped with its owner's data, and an
// answer read before a drop is never kept after it; against a real Redis of the test's own, two
// instances share one cache (a drop on one reaches the other's next read), and a frozen Redis is a
// miss within the command deadline.
#include "redis/shared_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "redis/scratch_redis_test.hpp"
#include "support/manual_clock.hpp"

namespace netra::redis {
namespace {

using namespace std::chrono;

class SharedCacheTest : public ScratchRedisTest {
 protected:
  SharedCache::Found find(SharedCache& cache, const std::string& owner, const std::string& entry) {
    return run(cache.find(owner, entry));
  }
  // Reads, and keeps `value` when it missed; returns what was found.
  SharedCache::Found read_through(SharedCache& cache, const std::string& owner,
                                  const std::string& entry, const std::string& value) {
    auto found = find(cache, owner, entry);
    if (!found.value && found.generation) run(cache.keep(owner, entry, *found.generation, value));
    return found;
  }
};

TEST_F(SharedCacheTest, InProcessAnAnswerLivesItsTtlAndGoesWithItsOwnersData) {
  testing::ManualClock clock;
  SharedCache cache("summary", seconds(30), clock);
  EXPECT_FALSE(read_through(cache, "alice", "30d|model", "A1").value);
  EXPECT_EQ(find(cache, "alice", "30d|model").value, "A1");
  EXPECT_FALSE(find(cache, "alice", "30d|provider").value) << "another entry";
  EXPECT_FALSE(find(cache, "bob", "30d|model").value) << "another owner";
  read_through(cache, "bob", "30d|model", "B1");
  clock.advance(seconds(30));
  EXPECT_FALSE(find(cache, "alice", "30d|model").value) << "lapsed after its TTL";

  read_through(cache, "alice", "30d|model", "A2");
  const auto before = find(cache, "alice", "7d|model");  // a read that is slow to answer...
  run(cache.drop("alice"));                              // ...while alice ingests
  EXPECT_FALSE(find(cache, "alice", "30d|model").value) << "dropped with her data";
  run(cache.keep("alice", "7d|model", *before.generation, "stale"));
  EXPECT_FALSE(find(cache, "alice", "7d|model").value) << "an answer from before the drop";
  clock.advance(seconds(1));
  read_through(cache, "bob", "30d|model", "B2");
  EXPECT_EQ(find(cache, "bob", "30d|model").value, "B2");
}

TEST_F(SharedCacheTest, TwoInstancesShareOneCacheAndADropReachesBoth) {
  connect();
  SharedCache on_a("summary", seconds(30));
  SharedCache on_b("summary", seconds(30));
  on_a.share_through(client_);
  on_b.share_through(client_);
  EXPECT_FALSE(read_through(on_a, "alice", "30d|model", "A1").value);
  EXPECT_EQ(find(on_b, "alice", "30d|model").value, "A1") << "B reads what A kept";
  EXPECT_EQ(find(on_a, "alice", "30d|model").value, "A1");
  const auto before = find(on_a, "alice", "7d|model");
  run(on_b.drop("alice"));  // alice ingests on B
  EXPECT_FALSE(find(on_a, "alice", "30d|model").value) << "A's next read misses";
  run(on_a.keep("alice", "7d|model", *before.generation, "stale"));
  EXPECT_FALSE(find(on_b, "alice", "7d|model").value) << "an answer from before the drop";
  EXPECT_EQ(redis_->cli({"PTTL", "netra:cache:summary:alice"}).substr(0, 2), "-2")
      << "nothing kept for her";

  SharedCache short_lived("summary", milliseconds(200));
  short_lived.share_through(client_);
  read_through(short_lived, "bob", "30d|model", "B1");
  EXPECT_EQ(find(short_lived, "bob", "30d|model").value, "B1");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(find(short_lived, "bob", "30d|model").value) << "lapsed on Redis's clock";

  redis_->freeze();
  const auto started = steady_clock::now();
  const auto frozen = find(on_a, "alice", "30d|model");
  EXPECT_FALSE(frozen.value);
  EXPECT_FALSE(frozen.generation) << "nothing may be kept while Redis does not answer";
  EXPECT_LT(steady_clock::now() - started, milliseconds(1000));
  redis_->thaw();
}

}  // namespace
}  // namespace netra::redis
