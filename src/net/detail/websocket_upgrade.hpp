// WebSocketUpgrade: what the HTTP server hands to the WebSocket server when a request asks for the
// upgrade — the connection and the request Beast parsed. Shared by the two translation units that
// hold Beast, and by nothing else.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_message.hpp"

namespace netra::telemetry {
class Tracer;
}

namespace netra::net::detail {

struct WebSocketUpgrade {
  boost::asio::ip::tcp::socket socket;
  boost::beast::http::request<boost::beast::http::string_body> message;
  HttpRequest request;  // the same request as handlers see it (headers, query, remote address)
  // Where the spans of its messages go (ServerHooks::tracer), and how many traces they sample.
  const telemetry::Tracer* tracer = nullptr;
  double trace_sample_ratio = 0;
};

}  // namespace netra::net::detail
