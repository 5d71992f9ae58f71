#include "auth/shared_revocations.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/parse_number.hpp"
#include "core/task_failures.hpp"
#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {

namespace asio = boost::asio;

namespace {

// Adds (or extends) one revocation, prunes the expired ones and tells every instance.
// KEYS: the set. ARGV: session id, until, now, channel.
const redis::RedisScript kRevoke(R"lua(
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. ARGV[2])
return 1
)lua");

}  // namespace

SharedRevocations::SharedRevocations(RevokedSessions& sessions,
                                     std::shared_ptr<redis::RedisClient> redis,
                                     asio::any_io_executor executor)
    : sessions_(sessions), redis_(std::move(redis)), executor_(std::move(executor)) {}

void SharedRevocations::attach() {
  std::weak_ptr<SharedRevocations> weak = weak_from_this();
  // The publisher owns this object: it lives as long as the sessions it serves.
  sessions_.publish_through(
      [self = shared_from_this()](const std::string& session_id, int64_t until) {
        self->send_later({session_id, until});
      });
  auto redis = redis_.lock();
  if (!redis) return;
  redis->add_channels({kChannel}, [weak](const std::string&, std::string payload) {
    if (auto self = weak.lock()) self->heard(payload);
  });
  redis->on_subscribed([weak] {
    if (auto self = weak.lock())
      asio::co_spawn(self->executor_, self->catch_up(),
                     core::detached_reporting("the revocations catch-up"));
  });
}

size_t SharedRevocations::unsent() const {
  std::lock_guard lock(mutex_);
  return unsent_.size();
}

void SharedRevocations::send_later(Revocation revocation) {
  std::vector<Revocation> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(unsent_);
  }
  batch.push_back(std::move(revocation));
  asio::co_spawn(executor_, send(std::move(batch)),
                 core::detached_reporting("the publication of revocations"));
}

asio::awaitable<void> SharedRevocations::send(std::vector<Revocation> revocations) {
  auto self = shared_from_this();  // alive until sent
  const auto now = std::to_string(core::unix_seconds_now());
  std::vector<Revocation> failed;
  std::string why;
  for (auto& [session_id, until] : revocations) {
    std::vector<std::string> keys{kSet};
    std::vector<std::string> args{session_id, std::to_string(until), now, kChannel};
    auto redis = redis_.lock();
    if (!redis) co_return;  // the service stops
    auto sent = co_await redis->eval(kRevoke, std::move(keys), std::move(args));
    if (!sent) {
      why = sent.error().message;
      failed.emplace_back(std::move(session_id), until);
    }
  }
  if (failed.empty()) co_return;
  telemetry::logger("auth")->warn(
      "{} revoked login(s) not yet shared with the other instances ({}); sent when Redis answers",
      failed.size(), why);
  bool start_retrying = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& r : failed) {
      if (unsent_.size() >= kMaxUnsent) break;  // the oldest stay; their tokens expire soonest
      unsent_.push_back(std::move(r));
    }
    start_retrying = !retrying_;
    retrying_ = true;
  }
  if (start_retrying)
    asio::co_spawn(executor_, retry(), core::detached_reporting("the revocations retry"));
}

asio::awaitable<void> SharedRevocations::retry() {
  auto self = shared_from_this();
  asio::steady_timer pause(executor_);
  for (;;) {
    pause.expires_after(kRetryInterval);
    (void)co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    std::vector<Revocation> batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(unsent_);
      if (batch.empty()) {
        retrying_ = false;
        co_return;
      }
    }
    co_await send(std::move(batch));  // what fails again is back in unsent_
  }
}

void SharedRevocations::heard(const std::string& payload) {
  const auto space = payload.rfind(' ');
  if (space == std::string::npos) return;
  const auto until =
      core::parse_whole_integer<int64_t>(std::string_view(payload).substr(space + 1));
  if (!until) return;
  sessions_.apply_shared(payload.substr(0, space), *until);
}

asio::awaitable<void> SharedRevocations::catch_up() {
  auto self = shared_from_this();
  std::vector<std::string> read{"ZRANGEBYSCORE",
                                kSet,
                                std::to_string(core::unix_seconds_now()),
                                "+inf",
                                "WITHSCORES",
                                "LIMIT",
                                "0",
                                "100000"};
  auto redis = redis_.lock();
  if (!redis) co_return;
  auto held = co_await redis->command(std::move(read));
  if (!held) {
    telemetry::logger("auth")->warn("could not read the revoked logins from Redis: {}",
                                    held.error().message);
  } else {
    const auto& items = held->elements;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      if (auto until = core::parse_whole_integer<int64_t>(items[i + 1].text))
        sessions_.apply_shared(items[i].text, *until);
    }
  }
  std::vector<Revocation> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(unsent_);
  }
  if (!batch.empty()) co_await send(std::move(batch));
}

}  // namespace netra::auth
