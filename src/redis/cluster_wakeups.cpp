#include "redis/cluster_wakeups.hpp"

#include <boost/asio/co_spawn.hpp>
#include <vector>

#include "core/task_failures.hpp"
#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace asio = boost::asio;

std::shared_ptr<ClusterWakeups> ClusterWakeups::create(std::string channel,
                                                       std::string instance_id) {
  return std::shared_ptr<ClusterWakeups>(
      new ClusterWakeups(std::move(channel), std::move(instance_id)));
}

void ClusterWakeups::share_through(std::weak_ptr<RedisClient> redis) {
  redis_ = std::move(redis);
  auto client = redis_.lock();
  if (!client) return;
  shared_ = true;
  std::weak_ptr<ClusterWakeups> weak = weak_from_this();
  client->add_channels({channel_}, [weak](const std::string&, std::string payload) {
    auto self = weak.lock();
    if (self && payload != self->instance_id_) self->woken(true);
  });
  client->on_subscribed([weak] {
    if (auto self = weak.lock()) self->woken(false);
  });
}

void ClusterWakeups::listen(std::function<void()> woken) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(woken);
}

void ClusterWakeups::woken(bool from_another) {
  if (from_another) ++heard_;
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    listener = listener_;
  }
  if (listener) listener();
}

void ClusterWakeups::publish() {
  if (!shared_) return;
  auto client = redis_.lock();
  if (!client) return;  // the service stops
  {
    std::lock_guard lock(mutex_);
    if (sending_) {
      again_ = true;
      return;
    }
    sending_ = true;
  }
  asio::co_spawn(client->executor(), send(), core::detached_reporting("a cluster wake-up"));
}

asio::awaitable<void> ClusterWakeups::send() {
  auto self = shared_from_this();
  for (;;) {
    if (auto client = redis_.lock()) {
      std::vector<std::string> publish{"PUBLISH", channel_, instance_id_};
      auto sent = co_await client->command(std::move(publish));
      if (sent) {
        ++published_;
      } else if (++failed_ % 100 == 1) {  // the first of an outage, then every hundredth
        telemetry::logger("redis")->warn(
            "{} nudge(s) on {} could not be published: {} (the other instances find the work at "
            "their next poll)",
            failed_.load(), channel_, sent.error().message);
      }
    }
    std::lock_guard lock(mutex_);
    if (!again_) {
      sending_ = false;
      co_return;
    }
    again_ = false;
  }
}

}  // namespace netra::redis
