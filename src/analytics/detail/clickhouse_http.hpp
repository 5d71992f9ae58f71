// ClickHouseHttp: one ClickHouse statement over the HTTP interface — the statement (and any
// inserted rows) as the POST body, credentials in headers, the caller's deadline passed on as the
// server's max_execution_time, every call through the "clickhouse" circuit breaker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "analytics/analytics_error.hpp"
#include "core/circuit_breaker.hpp"
#include "core/deadline.hpp"

namespace netra::net {
class HttpClient;
}

namespace netra::analytics::detail {

namespace asio = boost::asio;

class ClickHouseHttp {
 public:
  // `url`: http://host[:port] of the HTTP interface (any path is ignored). Throws
  // std::invalid_argument when it is not one. The password is sent, never logged or returned.
  // `on_statement` (optional) hears each statement as it is sent.
  ClickHouseHttp(std::shared_ptr<net::HttpClient> client, const std::string& url, std::string user,
                 std::string password, core::BreakerOptions breaker,
                 std::function<void(const std::string&)> on_statement = {});

  // The response body of a 200; otherwise an error naming `what` and, for an answer other than
  // 200, ClickHouse's own first line ("Code: 60, e.displayText() = ..."). Transport failures and
  // 5xx answers count as failures for the breaker; while it is open, calls fail at once with
  // `unavailable`. Without `through_breaker` the call neither asks nor feeds the breaker: for
  // probes paced by something else (the engine's start attempts).
  asio::awaitable<AnalyticsResult<std::string>> execute(std::string body, std::string_view what,
                                                        core::Deadline deadline,
                                                        bool through_breaker = true);

  const core::CircuitBreaker& breaker() const { return breaker_; }
  const std::string& origin() const { return origin_; }  // host:port, for logs

 private:
  std::shared_ptr<net::HttpClient> client_;
  std::string origin_;
  std::string scheme_;  // http, or https (a TLS connection per call: the client keeps none)
  std::string user_;
  std::string password_;
  core::CircuitBreaker breaker_;
  std::function<void(const std::string&)> on_statement_;
};

}  // namespace netra::analytics::detail
