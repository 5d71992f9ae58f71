// CorsPolicy: which browser origins other than the API's own may call it (`server.cors_origins`),
// and the Cross-Origin Resource Sharing headers that tell a browser so — the answer to a
// preflight, the headers of an actual response, and the Origin check of a WebSocket handshake.
// Exact origins only: no wildcard, since every route takes a bearer token and a wildcard would
// hand any page the user's session.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_message.hpp"

namespace netra::net {

class Router;

class CorsPolicy {
 public:
  CorsPolicy() = default;
  // Each entry "scheme://host[:port]" (http or https, no path, query or credentials), written as
  // a browser writes the Origin header: lower-case host, no default port. Throws
  // core::ConfigurationError listing every entry it cannot take, and why.
  static CorsPolicy parse(const std::vector<std::string>& origins);

  bool empty() const { return origins_.empty(); }
  bool allows(std::string_view origin) const;

  // A browser's preflight (OPTIONS with Origin and Access-Control-Request-Method): 204 with what
  // the path allows for a listed origin, 403 for another, 404 for a path no route has.
  static bool is_preflight(const HttpRequest& request);
  HttpResponse preflight(const HttpRequest& request, const Router& router) const;

  // Adds to any answer of a request that named an Origin: Vary: Origin, and for a listed origin
  // Access-Control-Allow-Origin with the headers a client script may read.
  void decorate(const HttpRequest& request, HttpResponse& response) const;

  // A WebSocket handshake (or an event stream) from a browser page of an origin that is neither
  // listed nor the server's own (same host as the Host header) is refused: a page on another
  // site must not open a channel in its visitor's name. Clients that send no Origin are not
  // browsers and pass. Returns the 403 to answer, or nullopt.
  std::optional<HttpResponse> refuse_channel(const HttpRequest& request) const;
  // Stricter, for /mcp: a request that names an Origin is refused unless it is listed, even the
  // server's own host. A page reached through DNS rebinding is "same-origin" with the server it
  // was rebound to, and the MCP transport asks servers to check Origin for exactly that.
  std::optional<HttpResponse> refuse_unlisted(const HttpRequest& request) const;

 private:
  std::vector<std::string> origins_;  // canonical, as browsers send them
};

}  // namespace netra::net
