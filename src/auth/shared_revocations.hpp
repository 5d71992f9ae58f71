// SharedRevocations: carries revoked logins between the instances through Redis. A revocation
// made here goes into the sorted set netra:revoked (score: until when, in Unix seconds) and is
// published on netra:revocations; every instance applies what it hears at once, and reads the
// whole set each time its subscriber (re)connects, so what was published while it was away is not
// lost. A revocation that cannot reach Redis is kept (bounded) and sent again every second until
// Redis takes it. Checks stay in process (RevokedSessions): no request waits on Redis.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "auth/revoked_sessions.hpp"

namespace netra::redis {
class RedisClient;
}

namespace netra::auth {

class SharedRevocations : public std::enable_shared_from_this<SharedRevocations> {
 public:
  static constexpr const char* kSet = "netra:revoked";
  static constexpr const char* kChannel = "netra:revocations";
  static constexpr size_t kMaxUnsent = 100000;
  static constexpr std::chrono::milliseconds kRetryInterval{1000};

  // `executor`: where sending runs. `sessions` must outlive this object.
  SharedRevocations(RevokedSessions& sessions, std::shared_ptr<redis::RedisClient> redis,
                    boost::asio::any_io_executor executor);

  // Publishes this instance's revocations and subscribes to the others' (before the client
  // opens: the channel is subscribed with it).
  void attach();

  // Revocations made here that Redis has not taken yet.
  size_t unsent() const;

 private:
  using Revocation = std::pair<std::string, int64_t>;
  void send_later(Revocation revocation);
  boost::asio::awaitable<void> send(std::vector<Revocation> revocations);
  boost::asio::awaitable<void> catch_up();
  // Sends what is unsent every kRetryInterval until nothing is (one loop at a time).
  boost::asio::awaitable<void> retry();
  void heard(const std::string& payload);

  RevokedSessions& sessions_;
  // Not owned: the client goes with its component, before the event loops it runs on.
  std::weak_ptr<redis::RedisClient> redis_;
  boost::asio::any_io_executor executor_;
  mutable std::mutex mutex_;
  std::vector<Revocation> unsent_;
  bool retrying_ = false;
};

}  // namespace netra::auth
