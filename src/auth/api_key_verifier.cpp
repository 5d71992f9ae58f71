#include "auth/api_key_verifier.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include "auth/token_hash.hpp"
#include "core/task_failures.hpp"

namespace netra::auth {
namespace {

constexpr int64_t kLastUseResolutionMs = 60'000;
constexpr std::chrono::seconds kLookupBudget{5};

}  // namespace

ApiKeyVerifier::ApiKeyVerifier(db::Database& db, RevokedSessions& revoked,
                               size_t requests_per_minute, std::weak_ptr<redis::RedisClient> redis,
                               const core::Clock& clock)
    : store_(db),
      revoked_(revoked),
      limiter_("api-key", requests_per_minute, std::chrono::seconds(60), std::move(redis)),
      clock_(clock) {}

asio::awaitable<ApiKeyVerifier::Verdict> ApiKeyVerifier::verify(std::string secret) {
  using Kind = Verdict::Kind;
  const std::string hash = token_hash(secret);
  auto key = remembered(hash);
  if (!key) {
    auto found = co_await store_.find_by_hash(hash, core::Deadline::after(kLookupBudget));
    if (!found) co_return Verdict{Kind::unavailable, {}, "API keys: " + found.error().message};
    if (!found->has_value()) co_return Verdict{Kind::unknown, {}, "no such API key"};
    key = std::move(**found);
    remember(hash, *key);
  }
  const auto decision = co_await limiter_.hit(key->id);
  if (!decision.allowed) {
    co_return Verdict{Kind::rate_limited, std::move(*key), "over its request rate",
                      decision.retry_after};
  }
  const int64_t now = core::unix_ms_now();
  if (use_due(key->id, now)) {
    // Not awaited: the request does not wait for a bookkeeping write, and a failed one is
    // written again a minute later.
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, record_use(shared_from_this(), key->id, now),
                   core::detached_reporting("an API key's last-use record"));
  }
  co_return Verdict{Kind::ok, std::move(*key), "", {}};
}

asio::awaitable<db::DbResult<bool>> ApiKeyVerifier::remove(std::string user_id, std::string id,
                                                           core::Deadline deadline) {
  auto removed = co_await store_.remove(std::move(user_id), id, deadline);
  if (!removed || !*removed) co_return removed;
  // Past the time any instance may still remember the key: then none finds it any more.
  revoked_.revoke(id, core::unix_seconds_now() + kCacheTtl.count() + 5);
  std::lock_guard lock(mutex_);
  last_written_.erase(id);
  co_return true;
}

std::optional<ApiKey> ApiKeyVerifier::remembered(const std::string& hash) {
  std::lock_guard lock(mutex_);
  const auto it = cache_.find(hash);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.until <= clock_.now() ||
      revoked_.revoked(it->second.key.id, core::unix_seconds_now())) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.key;
}

void ApiKeyVerifier::remember(const std::string& hash, const ApiKey& key) {
  // A key deleted while it was being looked up is not remembered.
  if (revoked_.revoked(key.id, core::unix_seconds_now())) return;
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  if (cache_.size() >= kMaxCached) {
    std::erase_if(cache_, [now](const auto& entry) { return entry.second.until <= now; });
    // Every key fresh (10,000 keys in use within 30 s): start over rather than track ages.
    if (cache_.size() >= kMaxCached) cache_.clear();
  }
  cache_.insert_or_assign(hash, Cached{key, now + kCacheTtl});
}

// A coroutine of its own, with its arguments by value (a capturing lambda coroutine's captures
// are freed twice by g++ 12): it keeps the verifier, and with it the store, alive until it ends.
asio::awaitable<void> ApiKeyVerifier::record_use(std::shared_ptr<ApiKeyVerifier> self,
                                                 std::string id, int64_t unix_ms) {
  co_await self->store_.touch(std::move(id), unix_ms, core::Deadline::after(kLookupBudget));
}

bool ApiKeyVerifier::use_due(const std::string& id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = last_written_.try_emplace(id, now_ms);
  if (fresh) return true;
  if (now_ms - it->second < kLastUseResolutionMs) return false;
  it->second = now_ms;
  return true;
}

}  // namespace netra::auth
