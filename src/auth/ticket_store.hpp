// TicketStore: single-use WebSocket tickets. A browser cannot set headers on a WebSocket
// handshake, so it asks for a short-lived ticket over authenticated HTTP and puts its id in the
// URL; the handshake redeems it once, for the user it was issued to, until it expires.
// In-process now (thread-safe, bounded); the awaitable interface is the one a Redis-backed store
// will keep, so instances can share tickets.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace netra::auth {

namespace asio = boost::asio;

struct Ticket {
  std::string id;  // "tkt_…", unguessable
  std::string user_id;
  int64_t expires_at = 0;  // Unix seconds
};

struct TicketLimits {
  std::chrono::seconds min_ttl{30};
  std::chrono::seconds max_ttl{3600};
  size_t max_per_user = 100;  // outstanding; issuing more drops that user's oldest
  size_t max_total = 100000;  // beyond it, issuing fails until some expire
};

class TicketStore {
 public:
  explicit TicketStore(TicketLimits limits = {}, const core::Clock& clock = core::steady_clock());

  // Fails with a message when the ttl is outside the limits or the store is full.
  asio::awaitable<core::Result<Ticket, std::string>> issue(std::string user_id,
                                                           std::chrono::seconds ttl);
  // The user the ticket was issued to, once; nullopt for unknown, used or expired tickets.
  asio::awaitable<std::optional<std::string>> redeem(std::string ticket_id);

  size_t outstanding() const;

 private:
  struct Entry {
    std::string user_id;
    core::Clock::time_point expires;
    core::Clock::time_point issued;
  };
  void drop_expired(core::Clock::time_point now);

  TicketLimits limits_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> tickets_;
  std::unordered_map<std::string, size_t> per_user_;
};

}  // namespace netra::auth
