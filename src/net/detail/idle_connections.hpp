// IdleConnections: the HTTP client's keep-alive connections that wait for their next request,
// per origin, bounded in number and age. Thread-safe: requests on every event loop share it.
//
// Not core::Pool: that bounds the connections in use and makes callers wait for one; here nothing
// waits — a request without an idle connection opens a new one — and only the idle are bounded.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace netra::net::detail {

class IdleConnections {
 public:
  using tcp = boost::asio::ip::tcp;

  IdleConnections(size_t max_per_origin, std::chrono::milliseconds idle_timeout);

  // The most recently parked connection to `origin` that still looks open (the peer has not
  // closed it nor sent anything unasked), preferring one whose socket belongs to `context`.
  // Connections past the idle timeout, to any origin, are closed on the way.
  std::optional<tcp::socket> take(const std::string& origin,
                                  const boost::asio::execution_context& context);
  // Parks a connection after a complete keep-alive response; the oldest one to that origin is
  // closed if the origin already has its maximum.
  void park(const std::string& origin, tcp::socket socket);

  size_t size() const;
  void close_all();

 private:
  struct Idle {
    tcp::socket socket;
    std::chrono::steady_clock::time_point since;
  };
  // Moves out the connections past the idle timeout; the caller holds the lock and closes them
  // after releasing it.
  void take_expired_locked(std::deque<Idle>& out);

  const size_t max_per_origin_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Idle>> by_origin_;
  size_t count_ = 0;
};

}  // namespace netra::net::detail
