// ClusterSlots: places counted across the instances of a cluster — at most `limit` per key (a
// user's sockets, a user's agent runs). A place is a member of the sorted set
// netra:slots:<name>:<key>, scored by when it lapses (Redis's clock); the instance that holds it
// pushes that back every kRefreshEvery while its Hold lives, and removes it when the Hold is
// destroyed. The places of an instance that dies lapse by themselves after the TTL (kTtl).
//
// Without Redis, or while it does not answer, claim() says `unshared`: the caller's per-instance
// limit is then the only one. With Redis configured, such a place is still held and refreshed, so
// it is counted again once Redis answers (and after Redis restarted empty, every live place is back
// within kRefreshEvery).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace netra::redis {

class RedisClient;

class ClusterSlots : public std::enable_shared_from_this<ClusterSlots> {
 public:
  static constexpr std::chrono::milliseconds kTtl{30000};
  static constexpr std::chrono::milliseconds kRefreshEvery{10000};

  struct Claim {
    enum class Kind { held, full, unshared };
    Kind kind = Kind::unshared;
    // held or unshared: keep it while what it counts lives; destroying it gives the place back.
    std::shared_ptr<void> hold;
    size_t count = 0;  // held or full: the key's places in the cluster (with this one when held)
  };

  // `name` keeps different counts apart ("sockets", "runs"). Tests shorten the times.
  static std::shared_ptr<ClusterSlots> create(
      std::string name, std::chrono::milliseconds ttl = kTtl,
      std::chrono::milliseconds refresh_every = kRefreshEvery);

  // Counts through `redis` from now on (before the service takes traffic).
  void share_through(std::weak_ptr<RedisClient> redis);

  // A place for `member` (unique in the cluster: a socket's, a run's id) among `key`'s, if the
  // key holds fewer than `limit`.
  boost::asio::awaitable<Claim> claim(std::string key, std::string member, size_t limit);

  // Places held by this instance (held or unshared), for tests.
  size_t held() const;

  struct Place;  // one held place (defined in the .cpp)

 private:
  ClusterSlots(std::string name, std::chrono::milliseconds ttl,
               std::chrono::milliseconds refresh_every)
      : prefix_("netra:slots:" + std::move(name) + ":"), ttl_(ttl), refresh_every_(refresh_every) {}
  std::shared_ptr<void> hold(std::string key, std::string member);
  void give_back(uint64_t number, std::string key, std::string member);
  boost::asio::awaitable<void> refresh_every_while_alive();
  boost::asio::awaitable<void> refresh();

  const std::string prefix_;
  const std::chrono::milliseconds ttl_;
  const std::chrono::milliseconds refresh_every_;
  mutable std::mutex mutex_;
  std::weak_ptr<RedisClient> redis_;
  bool shared_ = false;  // share_through was called
  uint64_t next_number_ = 0;
  std::map<uint64_t, std::pair<std::string, std::string>> places_;  // number → (set key, member)
};

}  // namespace netra::redis
