// SharedCache: answers kept for a short while (`ttl`) by owner and entry — a user's workload
// summaries by window and grouping — and dropped all at once when the owner's data changes. With
// Redis, one cache for the cluster: an owner's entries are the hash netra:cache:<name>:<owner>,
// and a drop on any instance reaches every instance's next read. Without Redis, this instance's
// own. A drop moves the owner's generation on, and an answer is kept only under the generation it
// was read at, so an answer computed before a change never outlives the drop.
//
// While Redis does not answer, a find is a miss (within the command deadline) and nothing is
// kept; a drop that Redis did not take leaves the other instances' entries to lapse after `ttl`.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace netra::redis {

class RedisClient;

class SharedCache {
 public:
  static constexpr size_t kMaxEntriesPerOwner = 64;     // more drops the owner's entries
  static constexpr size_t kMaxValueBytes = 256 * 1024;  // a larger answer is not kept
  static constexpr size_t kMaxOwners = 10000;           // in process; more starts over

  SharedCache(std::string name, std::chrono::milliseconds ttl,
              const core::Clock& clock = core::steady_clock());

  // Shares the cache through `redis` from now on (before the service takes traffic).
  void share_through(std::weak_ptr<RedisClient> redis);

  struct Found {
    std::optional<std::string> value;  // kept less than `ttl` ago
    // What keep() must be given for an answer read now; nothing when nothing may be kept.
    std::optional<std::string> generation;
  };
  boost::asio::awaitable<Found> find(std::string owner, std::string entry);
  // Keeps `value` unless the owner's data changed since `generation` was found.
  boost::asio::awaitable<void> keep(std::string owner, std::string entry, std::string generation,
                                    std::string value);
  // The owner's data changed: every entry of theirs is gone, on every instance.
  boost::asio::awaitable<void> drop(std::string owner);

 private:
  std::shared_ptr<RedisClient> client() const;
  const std::string prefix_;
  const std::chrono::milliseconds ttl_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::weak_ptr<RedisClient> redis_;
  bool shared_ = false;
  // The in-process twin.
  struct Entry {
    core::Clock::time_point kept_at;
    std::string value;
  };
  struct Owner {
    uint64_t generation = 0;
    std::map<std::string, Entry, std::less<>> entries;
  };
  Owner& owner_locked(const std::string& owner);  // with mutex_ held
  std::unordered_map<std::string, Owner> owners_;
  uint64_t newest_generation_ = 0;
};

}  // namespace netra::redis
