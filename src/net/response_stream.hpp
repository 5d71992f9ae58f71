// Streamed response bodies (server-sent events): a route answers with HttpResponse::stream set,
// and the server sends the header (chunked, no Content-Length), then runs the stream on the
// connection's event loop, sending each write at once as a chunk, and ends the response (and the
// connection) when the stream returns. Outside the request deadline: a stream is bounded by its
// own limits (an idle limit, the end of what it follows), by each write's deadline (a client that
// stops reading is cut off), and by shutdown, which wakes it to end.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string_view>

namespace netra::net {

namespace asio = boost::asio;

// What a stream writes to; implemented by the server.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Sends `data` at once (one chunk) within the server's request timeout; false when the client
  // went away or did not take it in time, or the server is shutting down: end the stream then.
  virtual asio::awaitable<bool> write(std::string_view data) = 0;
  // The server is shutting down: end at once (after a last write, if any).
  virtual bool closing() const = 0;
  // Registers what wakes the stream from a wait when the server starts shutting down (the stream
  // then sees closing()); called on the connection's loop, replaced by each call.
  virtual void on_closing(std::function<void()> wake) = 0;
};

class StreamBody {
 public:
  virtual ~StreamBody() = default;
  virtual asio::awaitable<void> run(ResponseStream& out) = 0;
};

}  // namespace netra::net
