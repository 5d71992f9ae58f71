// HttpClient: the one outbound HTTP/1.1 client (JWKS from the auth service, ClickHouse's HTTP
// interface, chat completions) — every wait under the caller's deadline, keep-alive per origin
// for http://, TLS with the server's certificate and name checked for https://.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/deadline.hpp"
#include "core/result.hpp"

namespace netra::net {

namespace asio = boost::asio;

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // http(s)://host[:port]/path?query; host is a name, IPv4 or [IPv6]
  // Sent as given, except Content-Length, Transfer-Encoding and Connection, which the client
  // sets from the body and its keep-alive policy. Host and User-Agent are added unless given.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The name of this call's client span in a sampled trace ("clickhouse SELECT", "chat
  // gpt-4o-mini"); empty: the method. Within a trace the request also carries a `traceparent`
  // naming that span, so the server's spans join the trace.
  std::string span_name = "";
  // When set, the body is handed over piece by piece as it arrives (a stream of server-sent
  // events) with the response's status and headers, and awaited before the next read: pieces
  // that arrive meanwhile come together in the next one. The response returned then has an
  // empty body. The deadline still bounds the whole response.
  std::function<asio::awaitable<void>(const struct HttpClientResponse& head, std::string_view part)>
      on_body_part = nullptr;
};

// Any status the server sends, 404 and 500 included, is a response, not an error.
struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
  std::string body;

  // The first header with that lower-case name, or "".
  std::string_view header(std::string_view lower_name) const;
};

struct HttpClientError {
  enum class Kind {
    invalid_url,      // not http(s)://host[:port]/...
    invalid_request,  // a method or header that cannot be sent as it is (CR, LF, ...)
    // DNS lookup or TCP connect failed (refused, unreachable, no such host), or the TLS
    // handshake did (a certificate not signed by a trusted authority, or for another name)
    connect_failed,
    timeout,             // the deadline passed while resolving, connecting, writing or reading
    protocol,            // a malformed response, or the connection lost before it was complete
    response_too_large,  // response headers or body beyond the limits in HttpClientOptions
    cancelled,           // the calling coroutine was cancelled
  };
  Kind kind = Kind::protocol;
  // Names the method, origin and path; never the query (ClickHouse takes passwords there),
  // headers or body.
  std::string message;
};
std::string_view to_string(HttpClientError::Kind kind);

// Told of each call once it ended: its operation (the request's span_name, or its method), its
// time, and whether it failed (no response, or a 5xx) — for the dependency metrics.
using CallObserver = std::function<void(std::string_view operation, double seconds, bool ok)>;

struct HttpClientOptions {
  size_t max_response_body_bytes = 64 * 1024 * 1024;
  size_t max_response_header_bytes = 64 * 1024;
  // Idle keep-alive connections kept per origin (host:port); 0 sends Connection: close and keeps
  // none.
  size_t max_idle_per_origin = 8;
  // An idle connection older than this is closed instead of reused. Keep it below the servers'
  // own keep-alive timeouts.
  std::chrono::milliseconds idle_timeout{30000};
  std::string user_agent;  // empty: "netra/<version>"
  // A PEM file of the authorities that https:// servers' certificates must chain to. Empty: the
  // system's, as OpenSSL finds them (its default paths, or the files SSL_CERT_FILE and
  // SSL_CERT_DIR name). A file that cannot be read fails every https:// request, saying why.
  std::string ca_file;
  CallObserver on_call = nullptr;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  // Closes the idle connections; requests in flight finish on their own. Destroy the client
  // before the event loops that ran its requests: idle sockets belong to those loops.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the whole response, every wait (DNS, connect, write, read)
  // bounded by `deadline`; never blocks the calling thread. Thread-safe: any number of requests
  // may run at once from coroutines on several event loops (each on an executor that runs one
  // handler at a time). The only retry: a request that fails on a reused idle connection before
  // any byte of the response (the server closed it meanwhile) is sent once more on a new
  // connection — even a POST, so that retry can repeat a request a server read and then dropped
  // without answering. Anything else is the caller's RetryPolicy to decide.
  asio::awaitable<core::Result<HttpClientResponse, HttpClientError>> send(HttpClientRequest request,
                                                                          core::Deadline deadline);

  // https:// connections carry one request each (Connection: close) and are never kept idle:
  // a TLS session cannot move between event loops the way a parked socket does.
  size_t idle_connections() const;
  size_t connections_opened() const;  // since construction, reused ones not counted again
  void close_idle();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace netra::net
