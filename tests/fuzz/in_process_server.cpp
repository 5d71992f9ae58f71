#include "fuzz/in_process_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/cli.hpp"

namespace netra::fuzz {
namespace {

using namespace std::chrono;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "in-process server: %s\n", why.c_str());
  std::abort();
}

uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    fail("no free loopback port");
  ::close(fd);
  return ntohs(address.sin_port);
}

// libFuzzer's timer (SIGALRM every -timeout/2 + 1 s, installed without SA_RESTART) interrupts
// whatever the fuzzing thread waits in, and a socket call with a timeout is never restarted
// (signal(7)): each call below retries on EINTR. Taken for the server's fault, these interrupted
// waits were "answers" with no bytes, about once a minute, mostly during argon2 logins.

int connect_once(uint16_t port, seconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

// A connected loopback socket whose reads and writes give up after `timeout`, or -1.
int connect_to(uint16_t port, seconds timeout) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = connect_once(port, timeout);
    if (fd >= 0 || errno != EINTR) return fd;
  }
  return -1;
}

// Everything the server sends until it closes; nullopt when it has not closed by the timeout.
std::optional<std::string> exchange_on(uint16_t port, std::string_view bytes, seconds timeout) {
  const int fd = connect_to(port, timeout);
  if (fd < 0) return std::nullopt;
  size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may close before it read everything (a refused header)
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string received;
  char buffer[16384];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      received.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const bool timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    // Closed with a reset: the server closed first, and its TIME_WAIT entry would otherwise stay
    // for a minute — at a thousand connections a second, a new connection from a reused port
    // would meet an old one.
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
    if (timed_out) return std::nullopt;
    return received;
  }
}

std::string body_of(const std::string& response) {
  const auto end_of_header = response.find("\r\n\r\n");
  return end_of_header == std::string::npos ? "" : response.substr(end_of_header + 4);
}

}  // namespace

const InProcessServer& InProcessServer::get() {
  static InProcessServer* server = [] {
    auto* s = new InProcessServer();  // never destroyed: the server thread outlives main
    s->start();
    // libFuzzer ends a run with exit(0), which destroys static objects while the server thread
    // still runs and may use them (a socket closing at exit, its session ending): a crash after
    // the run, reported as a finding (CI stop 35, websocket_fuzzer). Once the server runs, the
    // process ends without destroying them. Findings never reach this: libFuzzer reports a
    // crash, leak or timeout with _Exit and its error code, and std::exit runs no handler then.
    std::atexit([] {
      std::fflush(nullptr);
      std::_Exit(0);
    });
    return s;
  }();
  return *server;
}

void InProcessServer::start() {
  port_ = free_loopback_port();
  const auto dir =
      std::filesystem::temp_directory_path() / ("netra-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto config = dir / "netra.toml";
  // Limits that would refuse most inputs before they reach what is fuzzed are raised; the rest is
  // the production default. Logs at error only: a fuzzer sends millions of bad requests.
  std::ofstream(config) << "[server]\nhost = \"127.0.0.1\"\nport = " << port_
                        << "\nthreads = 1\naccess_log = false\n"
                        << "[database]\nurl = \"sqlite:" << (dir / "netra.db").string() << "\"\n"
                        << "[auth]\nkey_dir = \"" << (dir / "keys").string() << "\"\n"
                        << "dev_login = true\n"
                        << "[websocket]\nmessages_per_second = 1000000\nmessage_burst = 1000000\n"
                        << "[analytics]\ningest_events_per_second = 100000000\n"
                        << "ingest_burst_events = 100000000\n"
                        << "[log]\nlevel = \"error\"\nformat = \"json\"\n";
  std::thread([config] {
    std::string program = "netra", command = "serve", flag = "--config", path = config.string();
    char* argv[] = {program.data(), command.data(), flag.data(), path.data(), nullptr};
    const int code = app::run_cli(4, argv, app::production_service());
    fail("netra serve returned " + std::to_string(code));
  }).detach();

  const auto deadline = steady_clock::now() + seconds(30);
  for (;;) {
    auto ready = exchange_on(port_, "GET /health/ready HTTP/1.1\r\nHost: fuzz\r\n\r\n", seconds(5));
    if (ready && ready->starts_with("HTTP/1.1 200")) break;
    if (steady_clock::now() > deadline) fail("not ready on port " + std::to_string(port_));
    std::this_thread::sleep_for(milliseconds(20));
  }
  const std::string login = R"({"email":"fuzz@example.com"})";
  auto signed_in = exchange_on(port_,
                               "POST /auth/dev/login HTTP/1.1\r\nHost: fuzz\r\nContent-Type: "
                               "application/json\r\nContent-Length: " +
                                   std::to_string(login.size()) + "\r\n\r\n" + login,
                               seconds(10));
  if (!signed_in || !signed_in->starts_with("HTTP/1.1 200"))
    fail("dev login refused: " + signed_in.value_or("(no answer)"));
  access_token_ = nlohmann::json::parse(body_of(*signed_in)).at("access_token").get<std::string>();
  // An MCP session of that user, so that inputs to /mcp reach past the transport's checks.
  const std::string initialize =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})";
  auto initialized = exchange_on(
      port_,
      "POST /mcp HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer " + access_token_ +
          "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream"
          "\r\nContent-Length: " +
          std::to_string(initialize.size()) + "\r\n\r\n" + initialize,
      seconds(10));
  constexpr std::string_view kSessionHeader = "Mcp-Session-Id: ";
  const auto at = initialized ? initialized->find(kSessionHeader) : std::string::npos;
  if (at == std::string::npos) fail("no MCP session: " + initialized.value_or("(no answer)"));
  const auto from = at + kSessionHeader.size();
  mcp_session_ = initialized->substr(from, initialized->find("\r\n", from) - from);
}

std::string InProcessServer::exchange(std::string_view bytes) const {
  auto received = exchange_on(port_, bytes, seconds(40));
  if (!received) fail("no complete answer within 40 s (" + std::string(std::strerror(errno)) + ")");
  return *received;
}

std::string with_token(std::string_view text, const std::string& token) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("$TOKEN")) {
      out += token;
      i += 6;
    } else {
      out += text[i++];
    }
  }
  return out;
}

void require_no_internal_error(const std::string& response, std::string_view input) {
  // The first answer's status line only: a body may echo anything (the fuzzer learnt to put
  // "HTTP/1.1 500" in a field name that a 400 named), and the answers after it cannot be told apart
  // from bodies without knowing which requests were HEAD.
  if (response.starts_with("HTTP/1.1 500")) {
    std::fprintf(stderr, "500 for input:\n%.*s\nresponse:\n%s\n", static_cast<int>(input.size()),
                 input.data(), response.c_str());
    std::abort();
  }
}

void require_answer(const std::string& response, std::string_view input) {
  if (!response.starts_with("HTTP/1.1 ")) {
    std::fprintf(stderr, "no answer for input:\n%.*s\nreceived:\n%s\n",
                 static_cast<int>(input.size()), input.data(), response.c_str());
    std::abort();
  }
}

}  // namespace netra::fuzz
