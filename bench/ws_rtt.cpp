// ws_rtt: the measuring side of the WebSocket round-trip benchmark (bench/websocket.sh), and its
// baseline server — both Beast on one Asio thread, so the client is not what is measured.
//
//   ws_rtt ping PORT RATE SECONDS [TOKEN]
//       opens RATE/20 sockets to ws://127.0.0.1:PORT/ws (20 messages a second each: netra's
//       default per-socket limit), with TOKEN as a bearer token if given (then the first message,
//       connection_established, is read first); each sends {"type":"ping"} every 50 ms on a
//       schedule spread evenly over the sockets, and times each until its pong arrives.
//       Prints "COUNT P50_MS P99_MS ERRORS".
//   ws_rtt echo-server PORT
//       the baseline: a minimal Beast server answering every message with a pong of the same
//       shape as netra's ({"server_time":...,"type":"pong"}), until killed.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Run {
  unsigned short port = 0;
  std::string token;
  int per_socket = 20;
  int messages = 0;  // per socket
  std::vector<double> rtts_ms;
  size_t errors = 0;
};

asio::awaitable<void> pinger(Run& run, Clock::time_point first) {
  auto executor = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(executor);
  auto [connect_ec] = co_await ws.next_layer().async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), use_tuple);
  if (connect_ec) {
    ++run.errors;
    co_return;
  }
  ws.next_layer().socket().set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::decorator([&run](websocket::request_type& request) {
    if (!run.token.empty()) request.set(beast::http::field::authorization, "Bearer " + run.token);
  }));
  const std::string host = "127.0.0.1:" + std::to_string(run.port);
  auto [handshake_ec] = co_await ws.async_handshake(host, "/ws", use_tuple);
  if (handshake_ec) {
    ++run.errors;
    co_return;
  }
  beast::flat_buffer buffer;
  if (!run.token.empty()) {  // netra greets first: connection_established
    auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
    if (ec) {
      ++run.errors;
      co_return;
    }
    buffer.consume(n);
  }
  ws.text(true);
  const std::string ping = R"({"type":"ping"})";
  const auto interval = std::chrono::microseconds(1'000'000 / run.per_socket);
  asio::steady_timer timer(executor);
  auto next = first;
  for (int i = 0; i < run.messages; ++i, next += interval) {
    timer.expires_at(next);
    co_await timer.async_wait(use_tuple);
    const auto sent = Clock::now();
    auto [write_ec, written] = co_await ws.async_write(asio::buffer(ping), use_tuple);
    if (write_ec) {
      ++run.errors;
      co_return;
    }
    for (;;) {  // skip anything else the server sends until the pong
      auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
      if (ec) {
        ++run.errors;
        co_return;
      }
      const std::string_view text(static_cast<const char*>(buffer.data().data()), n);
      const bool pong = text.find("\"pong\"") != std::string_view::npos;
      buffer.consume(n);
      if (pong) break;
    }
    run.rtts_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
  }
  auto [close_ec] = co_await ws.async_close(websocket::close_code::normal, use_tuple);
  (void)close_ec;
}

int ping(int argc, char** argv) {
  if (argc < 5) return 2;
  Run run;
  run.port = static_cast<unsigned short>(std::stoi(argv[2]));
  const int rate = std::stoi(argv[3]);
  const double seconds = std::stod(argv[4]);
  if (argc > 5) run.token = argv[5];
  const int sockets = std::max(1, rate / run.per_socket);
  run.messages = static_cast<int>(seconds * run.per_socket);
  run.rtts_ms.reserve(static_cast<size_t>(sockets) * static_cast<size_t>(run.messages));
  asio::io_context io(1);
  // Every socket connects first (a second is plenty); then socket k pings at k/sockets of the
  // interval, so the messages are spread evenly over time.
  const auto start = Clock::now() + std::chrono::seconds(1);
  const auto interval = std::chrono::microseconds(1'000'000 / run.per_socket);
  for (int k = 0; k < sockets; ++k) {
    asio::co_spawn(io, pinger(run, start + interval * k / sockets), asio::detached);
  }
  io.run();
  auto& r = run.rtts_ms;
  if (r.empty()) {
    std::printf("0 0 0 %zu\n", run.errors);
    return 1;
  }
  std::sort(r.begin(), r.end());
  std::printf("%zu %.3f %.3f %zu\n", r.size(), r[r.size() / 2], r[r.size() * 99 / 100], run.errors);
  return run.errors == 0 ? 0 : 1;
}

asio::awaitable<void> echo(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  auto [accept_ec] = co_await ws.async_accept(use_tuple);
  if (accept_ec) co_return;
  ws.text(true);
  beast::flat_buffer buffer;
  char pong[96];
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
    if (ec) co_return;
    buffer.consume(n);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const int length =
        std::snprintf(pong, sizeof pong, R"({"server_time":%.3f,"type":"pong"})", now);
    auto [write_ec, written] =
        co_await ws.async_write(asio::buffer(pong, static_cast<size_t>(length)), use_tuple);
    if (write_ec) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) continue;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached);
  }
}

int echo_server(int argc, char** argv) {
  if (argc < 3) return 2;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(std::stoi(argv[2]))));
  asio::co_spawn(io, listen(acceptor), asio::detached);
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "ping") return ping(argc, argv);
  if (mode == "echo-server") return echo_server(argc, argv);
  std::cerr << "usage: ws_rtt ping PORT RATE SECONDS [TOKEN] | ws_rtt echo-server PORT\n";
  return 2;
}
