// The short names the three translation units that hold Beast (http_server.cpp,
// websocket_server.cpp, http_client.cpp) write their code with, declared once.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace netra::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
// An awaited operation that returns its error code instead of throwing it.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace netra::net
