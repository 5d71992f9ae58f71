#include "auth/ticket_store.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/id.hpp"
#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {

namespace {

constexpr const char* kTicketKey = "netra:ticket:";
constexpr const char* kUserTicketsKey = "netra:tickets-of:";

// Stores a ticket and keeps its user's list of the last max_per_user tickets issued, deleting
// the one that falls out of it (outstanding or not): one user cannot fill Redis.
// KEYS: the ticket, the user's list. ARGV: the owner, ttl, max per user, the ticket key prefix,
// the ticket id, the list's lifetime.
const redis::RedisScript kIssue(R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[6])
while redis.call('LLEN', KEYS[2]) > tonumber(ARGV[3]) do
  redis.call('DEL', ARGV[4] .. redis.call('LPOP', KEYS[2]))
end
return 1
)lua");

std::string owner_json(const TicketOwner& owner) {
  return nlohmann::json{{"user_id", owner.user_id},
                        {"session_id", owner.session_id},
                        {"credential_expires_at", owner.credential_expires_at}}
      .dump();
}

std::optional<TicketOwner> owner_of(const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  try {
    return TicketOwner{parsed.at("user_id").get<std::string>(),
                       parsed.at("session_id").get<std::string>(),
                       parsed.at("credential_expires_at").get<int64_t>()};
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

int64_t unix_seconds_after(std::chrono::seconds ttl) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (std::chrono::system_clock::now() + ttl).time_since_epoch())
      .count();
}

}  // namespace

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
  if (shared_) {
    if (auto shared = co_await issue_shared(owner, ttl)) co_return std::move(*shared);
  }
  const auto now = clock_.now();
  const std::string user_id = owner.user_id;
  Ticket ticket{core::make_id("tkt"), user_id, unix_seconds_after(ttl)};
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
  {
    std::lock_guard lock(mutex_);
    auto it = tickets_.find(ticket_id);
    if (it != tickets_.end()) {
      Entry entry = it->second;
      forget(it);  // used or expired, it never works again
      if (entry.expires <= clock_.now()) co_return std::nullopt;
      co_return std::move(entry.owner);
    }
  }
  if (!shared_) co_return std::nullopt;
  co_return co_await redeem_shared(ticket_id);
}

asio::awaitable<std::optional<Ticket>> TicketStore::issue_shared(const TicketOwner& owner,
                                                                 std::chrono::seconds ttl) {
  Ticket ticket{core::make_id("tkt"), owner.user_id, unix_seconds_after(ttl)};
  std::vector<std::string> keys{kTicketKey + ticket.id, kUserTicketsKey + owner.user_id};
  std::vector<std::string> args{owner_json(owner),
                                std::to_string(ttl.count()),
                                std::to_string(limits_.max_per_user),
                                kTicketKey,
                                ticket.id,
                                std::to_string(limits_.max_ttl.count())};
  auto redis = redis_.lock();
  if (!redis) co_return std::nullopt;
  auto stored = co_await redis->eval(kIssue, std::move(keys), std::move(args));
  if (!stored) {
    // The redis component logs the outage once; each ticket it touches only at debug.
    telemetry::logger("auth")->debug("a WebSocket ticket is kept on this instance only: {}",
                                     stored.error().message);
    co_return std::nullopt;
  }
  co_return ticket;
}

asio::awaitable<std::optional<TicketOwner>> TicketStore::redeem_shared(
    const std::string& ticket_id) {
  // GETDEL: the first instance to ask gets it, every later one nothing.
  std::vector<std::string> take{"GETDEL", kTicketKey + ticket_id};
  auto redis = redis_.lock();
  if (!redis) co_return std::nullopt;
  auto taken = co_await redis->command(std::move(take));
  if (!taken) {
    telemetry::logger("auth")->debug("a WebSocket ticket could not be redeemed through Redis: {}",
                                     taken.error().message);
    co_return std::nullopt;
  }
  auto json = taken->string();
  if (!json) co_return std::nullopt;
  co_return owner_of(*json);
}

size_t TicketStore::outstanding() const {
  std::lock_guard lock(mutex_);
  return tickets_.size();
}

}  // namespace netra::auth
