#include "auth/ticket_store.hpp"

#include <algorithm>

#include "core/id.hpp"

namespace netra::auth {

TicketStore::TicketStore(TicketLimits limits, const core::Clock& clock)
    : limits_(limits), clock_(clock) {}

void TicketStore::forget(std::unordered_map<std::string, Entry>::iterator it) {
  by_expiry_.erase({it->second.expires, it->first});
  if (auto mine = per_user_.find(it->second.owner.user_id); mine != per_user_.end()) {
    auto& ids = mine->second;
    ids.erase(std::find(ids.begin(), ids.end(), it->first));
    if (ids.empty()) per_user_.erase(mine);
  }
  tickets_.erase(it);
}

void TicketStore::drop_expired(core::Clock::time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    forget(tickets_.find(by_expiry_.begin()->second));
  }
}

asio::awaitable<core::Result<Ticket, std::string>> TicketStore::issue(TicketOwner owner,
                                                                      std::chrono::seconds ttl) {
  using Issued = core::Result<Ticket, std::string>;
  if (ttl < limits_.min_ttl || ttl > limits_.max_ttl) {
    co_return Issued(std::string("ttl_seconds must be between ") +
                     std::to_string(limits_.min_ttl.count()) + " and " +
                     std::to_string(limits_.max_ttl.count()));
  }
  const auto now = clock_.now();
  const std::string user_id = owner.user_id;
  Ticket ticket{core::make_id("tkt"), user_id,
                std::chrono::duration_cast<std::chrono::seconds>(
                    (std::chrono::system_clock::now() + ttl).time_since_epoch())
                    .count()};
  std::lock_guard lock(mutex_);
  drop_expired(now);
  if (tickets_.size() >= limits_.max_total) co_return Issued(std::string("too many open tickets"));
  if (auto mine = per_user_.find(user_id);
      mine != per_user_.end() && mine->second.size() >= limits_.max_per_user) {
    // One user cannot fill the store: their oldest outstanding ticket makes room.
    forget(tickets_.find(mine->second.front()));
  }
  const auto expires = now + ttl;
  tickets_.emplace(ticket.id, Entry{std::move(owner), expires});
  by_expiry_.emplace(expires, ticket.id);
  per_user_[user_id].push_back(ticket.id);
  co_return ticket;
}

asio::awaitable<std::optional<TicketOwner>> TicketStore::redeem(std::string ticket_id) {
  std::lock_guard lock(mutex_);
  auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) co_return std::nullopt;
  Entry entry = it->second;
  forget(it);  // used or expired, it never works again
  if (entry.expires <= clock_.now()) co_return std::nullopt;
  co_return std::move(entry.owner);
}

size_t TicketStore::outstanding() const {
  std::lock_guard lock(mutex_);
  return tickets_.size();
}

}  // namespace netra::auth
