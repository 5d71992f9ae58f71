#include "redis/shared_token_buckets.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace {

// Refills the bucket for the time since it was last touched, then takes the units if it holds
// them. A bucket never seen is full; it is kept until it would be full again.
// KEYS: the bucket. ARGV: the rate per second, the burst, the units.
// Returns {1 taken | 0 refused, the tokens left (a string: Lua numbers reach RESP as integers)}.
const RedisScript kTake(kLuaNowMs + std::string(R"lua(
local rate, burst, units = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
if units > tokens then return {0, tostring(tokens)} end
tokens = tokens - units
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
local full_in = 86400000
if rate > 0 then full_in = math.ceil((burst - tokens) / rate * 1000) end
redis.call('PEXPIRE', KEYS[1], full_in + 1000)
return {1, tostring(tokens)}
)lua"));

constexpr size_t kMaxSeen = 100000;

}  // namespace

SharedTokenBuckets::SharedTokenBuckets(std::string name, double rate_per_second, double burst,
                                       std::weak_ptr<RedisClient> redis, const core::Clock& clock)
    : prefix_("netra:bucket:" + std::move(name) + ":"),
      rate_(rate_per_second),
      burst_(burst),
      clock_(clock),
      local_(rate_per_second, burst, kMaxSeen, clock),
      redis_(redis),
      shared_(!redis.expired()) {}

void SharedTokenBuckets::share_through(std::weak_ptr<RedisClient> redis) {
  std::lock_guard lock(mutex_);
  redis_ = std::move(redis);
  shared_ = true;
}

boost::asio::awaitable<std::optional<core::TokenDecision>> SharedTokenBuckets::shared(
    const std::string& key, double units) {
  std::shared_ptr<RedisClient> redis;
  {
    std::lock_guard lock(mutex_);
    redis = redis_.lock();
  }
  if (!redis) co_return std::nullopt;
  std::vector<std::string> keys{prefix_ + key};
  std::vector<std::string> args{std::to_string(rate_), std::to_string(burst_),
                                std::to_string(units)};
  auto taken = co_await redis->eval(kTake, std::move(keys), std::move(args));
  if (!taken || taken->elements.size() != 2) {
    // The component logs the outage once; each request that falls back only at debug.
    telemetry::logger("redis")->debug("{}: counted on this instance only ({})", prefix_,
                                      taken ? "an unexpected reply" : taken.error().message);
    co_return std::nullopt;
  }
  const bool allowed = taken->elements[0].integer == 1;
  const double left = std::strtod(taken->elements[1].text.c_str(), nullptr);
  {
    std::lock_guard lock(mutex_);
    if (seen_.size() >= kMaxSeen && !seen_.contains(key)) seen_.clear();
    seen_[key] = Seen{left, clock_.now()};
  }
  if (allowed) co_return core::TokenDecision{true, std::chrono::seconds(0)};
  co_return core::token_decision(left, units, rate_, burst_);
}

boost::asio::awaitable<core::TokenDecision> SharedTokenBuckets::take(std::string key,
                                                                     double units) {
  bool shared = false;
  {
    std::lock_guard lock(mutex_);
    shared = shared_;
  }
  if (shared) {
    if (auto decision = co_await this->shared(key, units)) co_return *decision;
  }
  co_return local_.take(key, units);
}

core::TokenDecision SharedTokenBuckets::estimate(const std::string& key, double units) {
  std::unique_lock lock(mutex_);
  if (!shared_) {
    lock.unlock();
    return local_.check(key, units);
  }
  const auto seen = seen_.find(key);
  if (seen == seen_.end()) return core::token_decision(burst_, units, rate_, burst_);
  const double elapsed = std::chrono::duration<double>(clock_.now() - seen->second.at).count();
  const double tokens = std::min(burst_, seen->second.tokens + std::max(0.0, elapsed) * rate_);
  return core::token_decision(tokens, units, rate_, burst_);
}

}  // namespace netra::redis
