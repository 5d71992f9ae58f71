#include "support/misbehaving_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace netra::testing {

using namespace std::chrono;
using Clock = steady_clock;

namespace {

constexpr milliseconds kSlice{20};  // how often blocked waits look at the stop flag

int listen_on_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("misbehaving peer: cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

// Waits for `fd` to be readable for at most one slice and at most until `until`.
int poll_slice(int fd, Clock::time_point until) {
  const auto left = duration_cast<milliseconds>(until - Clock::now());
  if (left.count() <= 0) return 0;
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
}

}  // namespace

std::string ok_response(std::string_view body, bool close) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

PeerConnection::~PeerConnection() {
  close();
}

bool PeerConnection::fill(Clock::time_point until) {
  while (Clock::now() < until && !peer_.stopping() && fd_ >= 0) {
    const int ready = poll_slice(fd_, until);
    if (ready < 0) return false;
    if (ready == 0) continue;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  return false;
}

std::optional<std::string> PeerConnection::read_request(milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(until)) return std::nullopt;
  }
  size_t length = 0;
  std::string head = buffer_.substr(0, header_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::stoul(head.substr(at + 17));
  }
  const size_t total = header_end + 4 + length;
  while (buffer_.size() < total) {
    if (!fill(until)) return std::nullopt;
  }
  std::string request = buffer_.substr(0, total);
  buffer_.erase(0, total);
  peer_.record(request);
  return request;
}

bool PeerConnection::send(std::string_view bytes) {
  size_t sent = 0;
  while (sent < bytes.size() && fd_ >= 0) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return sent == bytes.size();
}

bool PeerConnection::wait_for_close(milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until && !peer_.stopping() && fd_ >= 0) {
    const int ready = poll_slice(fd_, until);
    if (ready < 0) return false;
    if (ready == 0) continue;
    char chunk[16384];
    if (::recv(fd_, chunk, sizeof chunk, 0) <= 0) return true;  // discards anything else sent
  }
  return false;
}

void PeerConnection::stall(milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until && !peer_.stopping()) std::this_thread::sleep_for(kSlice);
}

void PeerConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

MisbehavingPeer::MisbehavingPeer(Script script) : script_(std::move(script)) {
  listen_fd_ = listen_on_loopback(port_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

MisbehavingPeer::~MisbehavingPeer() {
  stopping_ = true;
  acceptor_.join();
  for (auto& t : connection_threads_) t.join();  // only the acceptor adds to it, and it is done
  ::close(listen_fd_);
}

std::string MisbehavingPeer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<std::string> MisbehavingPeer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void MisbehavingPeer::record(std::string request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

void MisbehavingPeer::accept_loop() {
  while (!stopping_) {
    if (poll_slice(listen_fd_, Clock::now() + kSlice) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const size_t index = accepted_.fetch_add(1);
    connection_threads_.emplace_back([this, fd, index] {
      PeerConnection connection(fd, *this);
      script_(connection, index);
    });
  }
}

int closed_port() {
  int port = 0;
  ::close(listen_on_loopback(port));
  return port;
}

}  // namespace netra::testing
