#include "auth/ticket_store.hpp"

#include <algorithm>

#include "core/id.hpp"

namespace netra::auth {

TicketStore::TicketStore(TicketLimits limits, const core::Clock& clock)
    : limits_(limits), clock_(clock) {}

void TicketStore::drop_expired(core::Clock::time_point now) {
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    if (it->second.expires <= now) {
      if (--per_user_[it->second.user_id] == 0) per_user_.erase(it->second.user_id);
      it = tickets_.erase(it);
    } else {
      ++it;
    }
  }
}

asio::awaitable<core::Result<Ticket, std::string>> TicketStore::issue(std::string user_id,
                                                                      std::chrono::seconds ttl) {
  using Issued = core::Result<Ticket, std::string>;
  if (ttl < limits_.min_ttl || ttl > limits_.max_ttl) {
    co_return Issued(std::string("ttl_seconds must be between ") +
                     std::to_string(limits_.min_ttl.count()) + " and " +
                     std::to_string(limits_.max_ttl.count()));
  }
  const auto now = clock_.now();
  Ticket ticket{core::make_id("tkt"), user_id,
                std::chrono::duration_cast<std::chrono::seconds>(
                    (std::chrono::system_clock::now() + ttl).time_since_epoch())
                    .count()};
  std::lock_guard lock(mutex_);
  if (tickets_.size() >= limits_.max_total) drop_expired(now);
  if (tickets_.size() >= limits_.max_total) co_return Issued(std::string("too many open tickets"));
  if (per_user_[user_id] >= limits_.max_per_user) {
    // One user cannot fill the store: their oldest outstanding ticket makes room.
    auto oldest = tickets_.end();
    for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
      if (it->second.user_id == user_id &&
          (oldest == tickets_.end() || it->second.issued < oldest->second.issued)) {
        oldest = it;
      }
    }
    if (oldest != tickets_.end()) {
      tickets_.erase(oldest);
      --per_user_[user_id];
    }
  }
  tickets_[ticket.id] = Entry{user_id, now + ttl, now};
  ++per_user_[user_id];
  co_return ticket;
}

asio::awaitable<std::optional<std::string>> TicketStore::redeem(std::string ticket_id) {
  std::lock_guard lock(mutex_);
  auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) co_return std::nullopt;
  Entry entry = std::move(it->second);
  tickets_.erase(it);  // used or expired, it never works again
  if (--per_user_[entry.user_id] == 0) per_user_.erase(entry.user_id);
  if (entry.expires <= clock_.now()) co_return std::nullopt;
  co_return entry.user_id;
}

size_t TicketStore::outstanding() const {
  std::lock_guard lock(mutex_);
  return tickets_.size();
}

}  // namespace netra::auth
