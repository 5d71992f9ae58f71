#include "redis/shared_cache.hpp"

#include <charconv>
#include <vector>

#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace {

// KEYS: the owner's entries (a hash of "<kept at, ms> <value>"), the owner's generation.
// ARGV: the entry, the TTL in ms. Returns {the generation, the value or ''}.
const RedisScript kFind(kLuaNowMs + std::string(R"lua(
local generation = redis.call('GET', KEYS[2]) or '0'
local kept = redis.call('HGET', KEYS[1], ARGV[1])
if not kept then return {generation, ''} end
local space = string.find(kept, ' ', 1, true)
if not space or now - tonumber(string.sub(kept, 1, space - 1)) >= tonumber(ARGV[2]) then
  return {generation, ''}
end
return {generation, string.sub(kept, space + 1)}
)lua"));

// KEYS: as kFind. ARGV: the entry, the generation it was read at, the value, the TTL in ms, the
// most entries an owner keeps. Returns 1 kept, 0 not (the owner's data changed since).
const RedisScript kKeep(kLuaNowMs + std::string(R"lua(
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ARGV[1], now .. ' ' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua"));

// KEYS: as kFind. Moves the generation on (kept an hour: longer than any read takes) and drops
// every entry.
const RedisScript kDrop(R"lua(
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 3600000)
redis.call('DEL', KEYS[1])
return 1
)lua");

}  // namespace

SharedCache::SharedCache(std::string name, std::chrono::milliseconds ttl, const core::Clock& clock)
    : prefix_("netra:cache:" + std::move(name) + ":"), ttl_(ttl), clock_(clock) {}

void SharedCache::share_through(std::weak_ptr<RedisClient> redis) {
  std::lock_guard lock(mutex_);
  redis_ = std::move(redis);
  shared_ = true;
}

SharedCache::Owner& SharedCache::owner_locked(const std::string& owner) {
  auto found = owners_.find(owner);
  if (found != owners_.end()) return found->second;
  // Starting over forgets no change: an owner met again starts at the newest generation, past
  // any a pending keep() could hold from before its last drop.
  if (owners_.size() >= kMaxOwners) owners_.clear();
  return owners_.emplace(owner, Owner{newest_generation_, {}}).first->second;
}

std::shared_ptr<RedisClient> SharedCache::client() const {
  std::lock_guard lock(mutex_);
  return redis_.lock();
}

boost::asio::awaitable<SharedCache::Found> SharedCache::find(std::string owner, std::string entry) {
  Found found;
  {
    std::lock_guard lock(mutex_);
    if (!shared_) {
      auto& mine = owner_locked(owner);
      found.generation = std::to_string(mine.generation);
      const auto kept = mine.entries.find(entry);
      if (kept != mine.entries.end() && clock_.now() - kept->second.kept_at < ttl_) {
        found.value = kept->second.value;
      }
      co_return found;
    }
  }
  auto redis = client();
  if (!redis) co_return found;
  std::vector<std::string> keys{prefix_ + owner, prefix_ + owner + ":generation"};
  std::vector<std::string> args{std::move(entry), std::to_string(ttl_.count())};
  auto answer = co_await redis->eval(kFind, std::move(keys), std::move(args));
  if (!answer || answer->elements.size() != 2) {
    telemetry::logger("redis")->debug("{}: not cached ({})", prefix_,
                                      answer ? "an unexpected reply" : answer.error().message);
    co_return found;
  }
  found.generation = std::move(answer->elements[0].text);
  if (!answer->elements[1].text.empty()) found.value = std::move(answer->elements[1].text);
  co_return found;
}

boost::asio::awaitable<void> SharedCache::keep(std::string owner, std::string entry,
                                               std::string generation, std::string value) {
  if (value.size() > kMaxValueBytes) co_return;
  {
    std::lock_guard lock(mutex_);
    if (!shared_) {
      auto& mine = owner_locked(owner);
      if (std::to_string(mine.generation) != generation) co_return;
      if (mine.entries.size() >= kMaxEntriesPerOwner) mine.entries.clear();
      mine.entries[std::move(entry)] = Entry{clock_.now(), std::move(value)};
      co_return;
    }
  }
  auto redis = client();
  if (!redis) co_return;
  std::vector<std::string> keys{prefix_ + owner, prefix_ + owner + ":generation"};
  std::vector<std::string> args{std::move(entry), std::move(generation), std::move(value),
                                std::to_string(ttl_.count()), std::to_string(kMaxEntriesPerOwner)};
  (void)co_await redis->eval(kKeep, std::move(keys), std::move(args));
}

boost::asio::awaitable<void> SharedCache::drop(std::string owner) {
  {
    std::lock_guard lock(mutex_);
    if (!shared_) {
      auto& mine = owner_locked(owner);
      mine.generation = ++newest_generation_;
      mine.entries.clear();
      co_return;
    }
  }
  auto redis = client();
  if (!redis) co_return;
  std::vector<std::string> keys{prefix_ + owner, prefix_ + owner + ":generation"};
  auto dropped = co_await redis->eval(kDrop, std::move(keys), std::vector<std::string>{});
  if (!dropped) {
    telemetry::logger("redis")->debug("{}: {} not dropped ({}); the entries lapse in {} ms",
                                      prefix_, owner, dropped.error().message, ttl_.count());
  }
}

}  // namespace netra::redis
