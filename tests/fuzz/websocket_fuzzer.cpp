// WebSocket message dispatch: each input is one text message on the signed-in user's /ws socket,
// followed by a ping whose pong must come back — so every message is answered or refused, and
// never stalls the socket. A socket the server closes (a message over the size limit) is opened
// again for the next input. "$TOKEN" in an input becomes the access token.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz/in_process_server.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

[[noreturn]] void hung(std::string_view what) {
  std::fprintf(stderr, "websocket: no %.*s within 20 s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

class Socket {
 public:
  explicit Socket(const netra::fuzz::InProcessServer& server) : ws_(io_) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
    bool done = false;
    beast::error_code error;
    ws_.next_layer().async_connect(endpoint, [&](beast::error_code ec) {
      error = ec;
      done = true;
    });
    run("connection");
    if (error) {  // run() already aborted when the connection did not complete in time
      std::fprintf(stderr, "websocket: connection refused: %s\n", error.message().c_str());
      std::abort();
    }
    ws_.set_option(websocket::stream_base::decorator([&](websocket::request_type& request) {
      request.set(beast::http::field::authorization, "Bearer " + server.access_token());
    }));
    done = false;
    ws_.async_handshake("127.0.0.1", "/ws", [&](beast::error_code ec) {
      error = ec;
      done = true;
    });
    run("handshake");
    if (error) {
      std::fprintf(stderr, "websocket: handshake refused: %s\n", error.message().c_str());
      std::abort();
    }
    ws_.text(true);
  }

  // Sends `text`; false when the server closed the socket.
  bool send(std::string_view text) {
    bool done = false;
    beast::error_code error;
    ws_.async_write(asio::buffer(text.data(), text.size()), [&](beast::error_code ec, size_t) {
      error = ec;
      done = true;
    });
    run("write");
    return !error;
  }

  // The next message; nullopt when the server closed the socket.
  std::optional<std::string> receive() {
    beast::flat_buffer buffer;
    bool done = false;
    beast::error_code error;
    ws_.async_read(buffer, [&](beast::error_code ec, size_t) {
      error = ec;
      done = true;
    });
    run("message");
    if (error) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }

 private:
  void run(std::string_view what) {
    io_.restart();
    io_.run_for(std::chrono::seconds(20));
    if (!io_.stopped()) hung(what);
  }

  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& server = netra::fuzz::InProcessServer::get();
  // Not a static unique_ptr: destroyed at exit, it would close the socket while the server
  // thread still runs (see InProcessServer::get).
  static Socket* socket = nullptr;
  if (!socket) {
    socket = new Socket(server);
    if (!socket->receive()) hung("greeting");
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto message = netra::fuzz::with_token(input, server.access_token());
  if (!socket->send(message) || !socket->send(R"({"type":"ping"})")) {
    delete std::exchange(socket, nullptr);
    return 0;
  }
  for (;;) {
    const auto reply = socket->receive();
    if (!reply) {  // closed: a message over the limit, or a credential that ended
      delete std::exchange(socket, nullptr);
      return 0;
    }
    if (reply->find(R"("type":"pong")") != std::string::npos) return 0;
  }
}
