#include "redis/shared_rate_limiter.hpp"

#include <algorithm>

#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace {

// One window per key: the first event starts it (the key's lifetime), every event counts.
// KEYS: the key. ARGV: the window in ms, 1 to count or 0 to look. Returns {count, ms left}.
const RedisScript kWindow(R"lua(
local n
if ARGV[2] == '1' then
  n = redis.call('INCR', KEYS[1])
  if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
else
  n = tonumber(redis.call('GET', KEYS[1]) or '0')
end
return {n, redis.call('PTTL', KEYS[1])}
)lua");

}  // namespace

SharedRateLimiter::SharedRateLimiter(std::string name, size_t limit, std::chrono::seconds window,
                                     std::weak_ptr<RedisClient> redis)
    : prefix_("netra:rate:" + std::move(name) + ":"),
      limit_(limit),
      window_(window),
      redis_(std::move(redis)),
      has_redis_(!redis_.expired()),
      local_(limit, window) {}

boost::asio::awaitable<std::optional<SharedRateLimiter::Decision>> SharedRateLimiter::shared(
    const std::string& key, bool count) {
  auto redis = redis_.lock();
  if (!redis) co_return std::nullopt;
  std::vector<std::string> keys{prefix_ + key};
  std::vector<std::string> args{
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(window_).count()),
      count ? "1" : "0"};
  auto counted = co_await redis->eval(kWindow, std::move(keys), std::move(args));
  if (!counted || counted->elements.size() != 2) {
    // The component logs the outage once; each request that falls back only at debug.
    telemetry::logger("redis")->debug("{}: counted on this instance only ({})", prefix_,
                                      counted ? "an unexpected reply" : counted.error().message);
    co_return std::nullopt;
  }
  const auto events = counted->elements[0].integer;
  const auto left_ms = std::max<int64_t>(0, counted->elements[1].integer);
  Decision decision;
  // Counting, the event just counted is within the limit; looking, one more would be.
  decision.allowed =
      count ? events <= static_cast<int64_t>(limit_) : events < static_cast<int64_t>(limit_);
  if (!decision.allowed) {
    // Whole seconds, rounded up, at least one: what Retry-After carries.
    decision.retry_after = std::chrono::seconds(std::max<int64_t>(1, (left_ms + 999) / 1000));
  }
  co_return decision;
}

boost::asio::awaitable<SharedRateLimiter::Decision> SharedRateLimiter::hit(std::string key) {
  if (has_redis_) {
    if (auto decision = co_await shared(key, true)) co_return *decision;
  }
  co_return local_.hit(key);
}

boost::asio::awaitable<SharedRateLimiter::Decision> SharedRateLimiter::check(std::string key) {
  if (has_redis_) {
    if (auto decision = co_await shared(key, false)) co_return *decision;
  }
  co_return local_.check(key);
}

}  // namespace netra::redis
