#include "agents/run_leases.hpp"

#include "redis/redis_client.hpp"

namespace netra::agents {

namespace asio = boost::asio;

namespace {

constexpr const char* kLeaseKey = "netra:lease:";

// KEYS: the leases. ARGV: the instance id, the TTL in ms.
const redis::RedisScript kRenew(R"lua(
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return #KEYS
)lua");

// KEYS: the leases. Returns 1 or 0 for each.
const redis::RedisScript kHeld(R"lua(
local held = {}
for i, key in ipairs(KEYS) do held[i] = redis.call('EXISTS', key) end
return held
)lua");

std::vector<std::string> keys_of(std::vector<std::string> run_ids) {
  for (auto& id : run_ids) id = kLeaseKey + id;
  return run_ids;
}

}  // namespace

RunLeases::RunLeases(std::weak_ptr<redis::RedisClient> redis, std::string instance_id)
    : redis_(std::move(redis)), instance_id_(std::move(instance_id)) {}

asio::awaitable<bool> RunLeases::renew(std::vector<std::string> run_ids) {
  auto redis = redis_.lock();
  if (!redis) co_return false;
  if (run_ids.empty()) co_return true;
  std::vector<std::string> args{instance_id_, std::to_string(kTtl.count())};
  auto renewed = co_await redis->eval(kRenew, keys_of(std::move(run_ids)), std::move(args));
  co_return renewed.ok();
}

asio::awaitable<std::optional<std::vector<bool>>> RunLeases::held(
    std::vector<std::string> run_ids) {
  auto redis = redis_.lock();
  if (!redis) co_return std::nullopt;
  if (run_ids.empty()) co_return std::vector<bool>{};
  const size_t count = run_ids.size();
  auto answer =
      co_await redis->eval(kHeld, keys_of(std::move(run_ids)), std::vector<std::string>{});
  if (!answer || answer->elements.size() != count) co_return std::nullopt;
  std::vector<bool> held;
  held.reserve(count);
  for (const auto& e : answer->elements) held.push_back(e.integer != 0);
  co_return held;
}

}  // namespace netra::agents
