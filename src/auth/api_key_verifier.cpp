#include "auth/api_key_verifier.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/clock.hpp"

namespace netra::auth {
namespace {

constexpr int64_t kLastUseResolutionMs = 60'000;
constexpr std::chrono::seconds kLookupBudget{5};

}  // namespace

ApiKeyVerifier::ApiKeyVerifier(db::Database& db, size_t requests_per_minute,
                               std::weak_ptr<redis::RedisClient> redis)
    : store_(db), limiter_("api-key", requests_per_minute, std::chrono::seconds(60), redis) {}

asio::awaitable<ApiKeyVerifier::Verdict> ApiKeyVerifier::verify(std::string secret) {
  using Kind = Verdict::Kind;
  auto found = co_await store_.find(std::move(secret), core::Deadline::after(kLookupBudget));
  if (!found) co_return Verdict{Kind::unavailable, {}, "API keys: " + found.error().message};
  if (!found->has_value()) co_return Verdict{Kind::unknown, {}, "no such API key"};
  ApiKey key = std::move(**found);
  const auto decision = co_await limiter_.hit(key.id);
  if (!decision.allowed) {
    co_return Verdict{Kind::rate_limited, std::move(key), "over its request rate",
                      decision.retry_after};
  }
  const int64_t now = core::unix_ms_now();
  if (use_due(key.id, now)) {
    // Not awaited: the request does not wait for a bookkeeping write, and a failed one is
    // written again a minute later.
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, record_use(shared_from_this(), key.id, now), asio::detached);
  }
  co_return Verdict{Kind::ok, std::move(key), "", {}};
}

// A coroutine of its own, with its arguments by value (a capturing lambda coroutine's captures
// are freed twice by g++ 12): it keeps the verifier, and with it the store, alive until it ends.
asio::awaitable<void> ApiKeyVerifier::record_use(std::shared_ptr<ApiKeyVerifier> self,
                                                 std::string id, int64_t unix_ms) {
  co_await self->store_.touch(std::move(id), unix_ms, core::Deadline::after(kLookupBudget));
}

void ApiKeyVerifier::forget(const std::string& id) {
  std::lock_guard lock(mutex_);
  last_written_.erase(id);
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
