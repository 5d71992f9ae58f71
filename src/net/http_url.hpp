// HttpUrl: an absolute http:// or https:// URL taken apart for the HTTP client — scheme, host,
// port and the request target — or the reason it cannot be sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace netra::net {

struct HttpUrl {
  bool tls = false;         // https://
  std::string host;         // lower-case name or IP address, without IPv6 brackets
  uint16_t port = 80;       // 80 for http://, 443 for https:// unless given
  std::string target;       // path and query as sent on the request line ("/" at least)
  std::string origin;       // "host:port" ("[::1]:8123"): the key for reusing plain connections
  std::string host_header;  // the Host header: the port only when it is not the scheme's default

  // The path without the query: for error messages and logs, where a query may hold a password.
  std::string_view path() const;
};

// Accepts http(s)://host[:port][/path][?query] with a DNS name, an IPv4 address or a bracketed
// IPv6 address; drops a #fragment. Refuses other schemes, credentials before the
// host, a missing host, a bad port, and spaces or control characters in the path or query (the
// caller percent-encodes). The error says which.
core::Result<HttpUrl, std::string> parse_http_url(std::string_view url);

// 127.0.0.0/8, ::1 or "localhost": a server on this machine, where plain HTTP stays on the
// loopback interface (the one place an http:// key set or sign-in provider is acceptable).
bool is_loopback_host(std::string_view host);

}  // namespace netra::net
