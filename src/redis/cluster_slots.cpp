#include "redis/cluster_slots.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "core/task_failures.hpp"
#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace asio = boost::asio;

namespace {

// KEYS: the set. ARGV: the member, the limit, the TTL in ms. Returns {1 held | 0 full, count}.
const RedisScript kClaim(kLuaNowMs + std::string(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  return {1, n}
end
if n >= tonumber(ARGV[2]) then return {0, n} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, n + 1}
)lua"));

// KEYS: the sets. ARGV: the TTL in ms, then one member per key. A place that lapsed (Redis was
// away, or restarted empty) is added again: it still lives here.
const RedisScript kRefresh(kLuaNowMs + std::string(R"lua(
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS
)lua"));

constexpr size_t kRefreshBatch = 1000;  // places per script call

}  // namespace

struct ClusterSlots::Place {
  std::weak_ptr<ClusterSlots> slots;
  uint64_t number = 0;
  std::string key;
  std::string member;
  ~Place() {
    if (auto s = slots.lock()) s->give_back(number, std::move(key), std::move(member));
  }
};

std::shared_ptr<ClusterSlots> ClusterSlots::create(std::string name, std::chrono::milliseconds ttl,
                                                   std::chrono::milliseconds refresh_every) {
  return std::shared_ptr<ClusterSlots>(new ClusterSlots(std::move(name), ttl, refresh_every));
}

void ClusterSlots::share_through(std::weak_ptr<RedisClient> redis) {
  {
    std::lock_guard lock(mutex_);
    redis_ = redis;
    shared_ = true;
  }
  if (auto client = redis.lock()) {
    asio::co_spawn(client->executor(), refresh_every_while_alive(),
                   core::detached_reporting("the refresh of the cluster places"));
  }
}

size_t ClusterSlots::held() const {
  std::lock_guard lock(mutex_);
  return places_.size();
}

std::shared_ptr<void> ClusterSlots::hold(std::string key, std::string member) {
  auto place = std::make_shared<Place>();
  place->slots = weak_from_this();
  place->key = std::move(key);
  place->member = std::move(member);
  std::lock_guard lock(mutex_);
  place->number = next_number_++;
  places_.emplace(place->number, std::make_pair(place->key, place->member));
  return place;
}

void ClusterSlots::give_back(uint64_t number, std::string key, std::string member) {
  std::shared_ptr<RedisClient> redis;
  {
    std::lock_guard lock(mutex_);
    places_.erase(number);
    redis = redis_.lock();
  }
  if (!redis) return;
  // Not awaited by anyone, but sent before Redis is closed; one that fails lapses after the TTL.
  redis->send_detached({"ZREM", std::move(key), std::move(member)},
                       "the release of a cluster place");
}

asio::awaitable<ClusterSlots::Claim> ClusterSlots::claim(std::string key, std::string member,
                                                         size_t limit) {
  Claim claim;
  auto set = prefix_ + key;
  std::shared_ptr<RedisClient> redis;
  {
    std::lock_guard lock(mutex_);
    // One instance, no Redis: the caller's own limit is the whole count; nothing to hold.
    if (!shared_) co_return claim;
    redis = redis_.lock();
  }
  if (redis) {
    std::vector<std::string> keys{set};
    std::vector<std::string> args{member, std::to_string(limit), std::to_string(ttl_.count())};
    auto answer = co_await redis->eval(kClaim, std::move(keys), std::move(args));
    if (answer && answer->elements.size() == 2) {
      claim.count = static_cast<size_t>(std::max<int64_t>(0, answer->elements[1].integer));
      if (answer->elements[0].integer == 0) {
        claim.kind = Claim::Kind::full;
        co_return claim;
      }
      claim.kind = Claim::Kind::held;
    } else {
      // The component logs the outage once; each claim that falls back only at debug.
      telemetry::logger("redis")->debug("{}: counted on this instance only ({})", prefix_,
                                        answer ? "an unexpected reply" : answer.error().message);
    }
  }
  claim.hold = hold(std::move(set), std::move(member));
  co_return claim;
}

asio::awaitable<void> ClusterSlots::refresh_every_while_alive() {
  std::weak_ptr<ClusterSlots> weak = weak_from_this();
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    pause.expires_after(refresh_every_);
    (void)co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    auto self = weak.lock();
    if (!self) co_return;
    co_await self->refresh();
  }
}

asio::awaitable<void> ClusterSlots::refresh() {
  std::vector<std::pair<uint64_t, std::pair<std::string, std::string>>> places;
  std::shared_ptr<RedisClient> redis;
  {
    std::lock_guard lock(mutex_);
    redis = redis_.lock();
    places.assign(places_.begin(), places_.end());
  }
  if (!redis) co_return;
  for (size_t first = 0; first < places.size(); first += kRefreshBatch) {
    const size_t end = std::min(places.size(), first + kRefreshBatch);
    std::vector<std::string> keys;
    std::vector<std::string> args{std::to_string(ttl_.count())};
    for (size_t i = first; i < end; ++i) {
      keys.push_back(places[i].second.first);
      args.push_back(places[i].second.second);
    }
    auto refreshed = co_await redis->eval(kRefresh, std::move(keys), std::move(args));
    if (!refreshed) {
      telemetry::logger("redis")->debug("{}: places not refreshed ({}); again in {} ms", prefix_,
                                        refreshed.error().message, refresh_every_.count());
      co_return;
    }
    // A place given back while the script was on its way was added again by it: remove it again.
    std::vector<std::pair<std::string, std::string>> given_back;
    {
      std::lock_guard lock(mutex_);
      for (size_t i = first; i < end; ++i) {
        if (!places_.contains(places[i].first)) given_back.push_back(places[i].second);
      }
    }
    for (auto& [key, member] : given_back) {
      std::vector<std::string> remove{"ZREM", std::move(key), std::move(member)};
      (void)co_await redis->command(std::move(remove));
    }
  }
}

}  // namespace netra::redis
