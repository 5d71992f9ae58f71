#include "net/detail/idle_connections.hpp"

#include <sys/socket.h>

#include <boost/asio/query.hpp>
#include <cerrno>

namespace netra::net::detail {

namespace asio = boost::asio;
using namespace std::chrono;

namespace {

// An idle HTTP connection has nothing to read: readable means the peer closed it (or sent bytes
// no request asked for), and either way it must not carry the next request. One non-blocking
// peek; it narrows the stale-connection race, the client's retry covers what remains.
bool looks_open(IdleConnections::tcp::socket& socket) {
  char byte;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

const asio::execution_context* context_of(IdleConnections::tcp::socket& socket) {
  return &asio::query(socket.get_executor(), asio::execution::context);
}

}  // namespace

IdleConnections::IdleConnections(size_t max_per_origin, milliseconds idle_timeout)
    : max_per_origin_(max_per_origin), idle_timeout_(idle_timeout) {}

std::optional<IdleConnections::tcp::socket> IdleConnections::take(
    const std::string& origin, const asio::execution_context& context) {
  std::deque<Idle> closing;  // closed after the lock is released
  for (;;) {
    std::optional<tcp::socket> candidate;
    {
      std::lock_guard lock(mutex_);
      take_expired_locked(closing);
      auto it = by_origin_.find(origin);
      if (it == by_origin_.end() || it->second.empty()) return std::nullopt;
      auto& idle = it->second;
      auto chosen = std::prev(idle.end());
      for (auto i = idle.rbegin(); i != idle.rend(); ++i) {
        if (context_of(i->socket) == &context) {
          chosen = std::prev(i.base());
          break;
        }
      }
      candidate.emplace(std::move(chosen->socket));
      idle.erase(chosen);
      --count_;
    }
    if (looks_open(*candidate)) return candidate;
  }
}

void IdleConnections::park(const std::string& origin, tcp::socket socket) {
  std::deque<Idle> closing;
  if (max_per_origin_ == 0) return;
  std::lock_guard lock(mutex_);
  take_expired_locked(closing);
  auto& idle = by_origin_[origin];
  if (idle.size() >= max_per_origin_) {
    closing.push_back(std::move(idle.front()));
    idle.pop_front();
    --count_;
  }
  idle.push_back(Idle{std::move(socket), steady_clock::now()});
  ++count_;
}

size_t IdleConnections::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void IdleConnections::close_all() {
  std::unordered_map<std::string, std::deque<Idle>> closing;
  std::lock_guard lock(mutex_);
  closing.swap(by_origin_);
  count_ = 0;
}

void IdleConnections::take_expired_locked(std::deque<Idle>& out) {
  const auto oldest = steady_clock::now() - idle_timeout_;
  for (auto it = by_origin_.begin(); it != by_origin_.end();) {
    auto& idle = it->second;
    // Parked in order, so the expired ones are at the front.
    while (!idle.empty() && idle.front().since <= oldest) {
      out.push_back(std::move(idle.front()));
      idle.pop_front();
      --count_;
    }
    it = idle.empty() ? by_origin_.erase(it) : std::next(it);
  }
}

}  // namespace netra::net::detail
