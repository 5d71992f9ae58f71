// ClusterWakeups: "there is work" told to every instance of a cluster on one Redis channel, so
// that idle workers elsewhere look now instead of at their next poll (background jobs queued on
// one instance start on another at once). Best effort, never waited on: without Redis
// (share_through never called) publish() does nothing, and while Redis fails a nudge is lost — the
// listeners' own polling finds the work a poll interval later. An instance ignores its own nudges
// (it woke itself), and is woken each time its subscriber has (re)subscribed, since a nudge
// published while it was away was missed.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace netra::redis {

class RedisClient;

class ClusterWakeups : public std::enable_shared_from_this<ClusterWakeups> {
 public:
  // `channel`: "netra:jobs". `instance_id`: this process's, unique in the cluster.
  static std::shared_ptr<ClusterWakeups> create(std::string channel, std::string instance_id);

  // Publishes through `redis` and subscribes to the channel (before the client opens). Not owned:
  // the client goes with its component.
  void share_through(std::weak_ptr<RedisClient> redis);
  // What a nudge from another instance calls, on the client's first executor (keep it brief).
  void listen(std::function<void()> woken);

  // Tells the other instances; thread-safe, returns at once. Nudges asked for while one is being
  // published go out as one more, not one each.
  void publish();

  uint64_t published() const { return published_.load(); }
  uint64_t heard() const { return heard_.load(); }

 private:
  ClusterWakeups(std::string channel, std::string instance_id)
      : channel_(std::move(channel)), instance_id_(std::move(instance_id)) {}
  boost::asio::awaitable<void> send();
  void woken(bool from_another);

  const std::string channel_;
  const std::string instance_id_;
  std::weak_ptr<RedisClient> redis_;
  std::atomic<bool> shared_{false};
  std::mutex mutex_;
  std::function<void()> listener_;
  bool sending_ = false;
  bool again_ = false;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> heard_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace netra::redis
