#include "analytics/detail/clickhouse_http.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "net/http_client.hpp"
#include "net/http_url.hpp"

namespace netra::analytics::detail {
namespace {

// ClickHouse's error text, first line, bounded: enough to act on, never a whole echoed batch.
std::string first_line(std::string_view body) {
  body = body.substr(0, body.find('\n'));
  constexpr size_t kMax = 400;
  if (body.size() > kMax) return std::string(body.substr(0, kMax)) + "…";
  return std::string(body);
}

AnalyticsErrorCode code_of(net::HttpClientError::Kind kind) {
  using Kind = net::HttpClientError::Kind;
  switch (kind) {
    case Kind::timeout:
      return AnalyticsErrorCode::timeout;
    case Kind::connect_failed:
    case Kind::protocol:
    case Kind::cancelled:
      return AnalyticsErrorCode::unavailable;
    case Kind::invalid_url:
    case Kind::invalid_request:
    case Kind::response_too_large:
      break;
  }
  return AnalyticsErrorCode::internal;
}

}  // namespace

ClickHouseHttp::ClickHouseHttp(std::shared_ptr<net::HttpClient> client, const std::string& url,
                               std::string user, std::string password, core::BreakerOptions breaker,
                               std::function<void(const std::string&)> on_statement)
    : client_(std::move(client)),
      user_(std::move(user)),
      password_(std::move(password)),
      breaker_("clickhouse", breaker),
      on_statement_(std::move(on_statement)) {
  auto parsed = net::parse_http_url(url);
  if (!parsed) throw std::invalid_argument("analytics.url: " + parsed.error());
  origin_ = parsed->origin;
  scheme_ = parsed->tls ? "https" : "http";
}

asio::awaitable<AnalyticsResult<std::string>> ClickHouseHttp::execute(std::string body,
                                                                      std::string_view what,
                                                                      core::Deadline deadline,
                                                                      bool through_breaker) {
  if (deadline.expired()) {
    co_return AnalyticsError{
        AnalyticsErrorCode::timeout,
        fmt::format("ClickHouse {}: the deadline passed before it was sent", what),
        {}};
  }
  if (through_breaker && !breaker_.allow()) {
    co_return AnalyticsError{
        AnalyticsErrorCode::unavailable,
        fmt::format("ClickHouse {}: not sent, the circuit breaker is open after recent failures",
                    what),
        {}};
  }
  // The server gives up when the caller does: max_execution_time in whole seconds, at least 1.
  const auto seconds = std::max<int64_t>(1, (deadline.remaining().count() + 999) / 1000);
  net::HttpClientRequest request;
  request.method = "POST";
  request.url = fmt::format("{}://{}/?max_execution_time={}", scheme_, origin_, seconds);
  request.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  if (!user_.empty()) request.headers.emplace_back("X-ClickHouse-User", user_);
  if (!password_.empty()) request.headers.emplace_back("X-ClickHouse-Key", password_);
  if (on_statement_) on_statement_(body);
  request.body = std::move(body);
  request.span_name = fmt::format("clickhouse {}", what);
  auto response = co_await client_->send(std::move(request), deadline);
  if (!response) {
    if (through_breaker) breaker_.record(false);
    co_return AnalyticsError{
        code_of(response.error().kind),
        fmt::format("ClickHouse {} at {}: {}", what, origin_, response.error().message),
        {}};
  }
  const int status = response->status;
  if (through_breaker) breaker_.record(status < 500);
  if (status != 200) {
    // 502–504 come from a proxy in front of a server that is not there; anything else is a
    // statement ClickHouse refused (a bug here, credentials it does not accept, a full disk),
    // which a retry cannot fix.
    const bool gateway = status == 502 || status == 503 || status == 504;
    const auto code = gateway ? AnalyticsErrorCode::unavailable : AnalyticsErrorCode::internal;
    co_return AnalyticsError{code,
                             fmt::format("ClickHouse {} at {} answered {}: {}", what, origin_,
                                         status, first_line(response->body)),
                             {}};
  }
  co_return std::move(response->body);
}

}  // namespace netra::analytics::detail
