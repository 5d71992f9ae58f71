// TicketStore: single-use WebSocket tickets. A browser cannot set headers on a WebSocket
// handshake, so it asks for a short-lived ticket over authenticated HTTP and puts its id in the
// URL; the handshake redeems it once, for the user it was issued to, until it expires.
// In process (thread-safe, bounded) for one instance; shared through Redis when the service has
// it, so a ticket issued by one instance is redeemed once on any — and while Redis fails, tickets
// are issued and redeemed in process again (a ticket lives seconds: none is worth a wait).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace netra::redis {
class RedisClient;
}

namespace netra::auth {

namespace asio = boost::asio;

// Who a ticket lets in, as the access token that asked for it said: the socket it opens lives no
// longer than that token, and ends with its login.
struct TicketOwner {
  std::string user_id;
  std::string session_id;             // the token's login; may be empty
  int64_t credential_expires_at = 0;  // the token's expiry, Unix seconds; 0: none
};

struct Ticket {
  std::string id;  // "tkt_…", unguessable
  std::string user_id;
  int64_t expires_at = 0;  // Unix seconds
};

// A ticket travels in a URL (logs, history): it lives long enough for the handshake it was asked
// for, and no longer.
struct TicketLimits {
  std::chrono::seconds min_ttl{5};
  std::chrono::seconds max_ttl{60};
  std::chrono::seconds default_ttl{30};
  size_t max_per_user = 10;   // outstanding; issuing more drops that user's oldest
  size_t max_total = 100000;  // beyond it, issuing fails until some expire
};

class TicketStore {
 public:
  explicit TicketStore(TicketLimits limits = {}, const core::Clock& clock = core::steady_clock());

  // Fails with a message when the ttl is outside the limits or the store is full.
  asio::awaitable<core::Result<Ticket, std::string>> issue(TicketOwner owner,
                                                           std::chrono::seconds ttl);
  // Who the ticket was issued to, once; nullopt for unknown, used or expired tickets.
  asio::awaitable<std::optional<TicketOwner>> redeem(std::string ticket_id);

  // Tickets go through Redis from now on (set while the service is assembled, before serving).
  // Not owned: the client goes with its component, before the event loops it runs on.
  void share_through(std::weak_ptr<redis::RedisClient> redis) {
    redis_ = std::move(redis);
    shared_ = true;
  }

  // Tickets held in this process (none while Redis carries them, but those of an outage).
  size_t outstanding() const;
  const TicketLimits& limits() const { return limits_; }

 private:
  // Through Redis: the ticket (or, when Redis cannot be reached, nothing: the caller issues it
  // here). A ticket id is never stored twice, so a redeem finds it in exactly one place.
  asio::awaitable<std::optional<Ticket>> issue_shared(const TicketOwner& owner,
                                                      std::chrono::seconds ttl);
  asio::awaitable<std::optional<TicketOwner>> redeem_shared(const std::string& ticket_id);
  struct Entry {
    TicketOwner owner;
    core::Clock::time_point expires;
  };
  // Drops the tickets that expired by `now`, soonest first: as many steps as there are expired.
  void drop_expired(core::Clock::time_point now);
  // Forgets the ticket in every index.
  void forget(std::unordered_map<std::string, Entry>::iterator it);

  TicketLimits limits_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> tickets_;
  std::set<std::pair<core::Clock::time_point, std::string>> by_expiry_;
  // Each user's outstanding tickets, oldest first (at most max_per_user).
  std::unordered_map<std::string, std::deque<std::string>> per_user_;
  std::weak_ptr<redis::RedisClient> redis_;
  bool shared_ = false;
};

}  // namespace netra::auth
