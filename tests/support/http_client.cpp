#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace netra::testing {

std::string TestResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

TestHttpClient::TestHttpClient(const std::string& host, int port, const std::string& source) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&address);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&address);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &a->sin_addr);
    length = sizeof(sockaddr_in);
  }
  fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 && !source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot bind " + source + ": " + std::strerror(errno));
    }
  }
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                             std::strerror(errno));
  }
}

TestHttpClient::~TestHttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestHttpClient::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool TestHttpClient::fill(std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0 || eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[8192];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<TestResponse> TestHttpClient::read_response(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(until)) return std::nullopt;
  }
  TestResponse response;
  const std::string head = buffer_.substr(0, header_end);
  const auto first_line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, first_line_end);
  response.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  size_t pos = first_line_end == std::string::npos ? head.size() : first_line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[name] = value;
    pos = end + 2;
  }
  const size_t length =
      response.headers.count("content-length") ? std::stoul(response.headers["content-length"]) : 0;
  const size_t total = header_end + 4 + length;
  while (buffer_.size() < total) {
    if (!fill(until)) return std::nullopt;
  }
  response.body = buffer_.substr(header_end + 4, length);
  buffer_.erase(0, total);
  return response;
}

std::optional<TestResponse> TestHttpClient::get(const std::string& target,
                                                const std::map<std::string, std::string>& headers) {
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\n";
  for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
  request += "\r\n";
  if (!send(request)) return std::nullopt;
  return read_response();
}

bool TestHttpClient::closed_within(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!eof_) {
    if (!fill(until) && !eof_) return false;
  }
  return true;
}

std::optional<TestResponse> http_get(int port, const std::string& target,
                                     const std::map<std::string, std::string>& headers) {
  TestHttpClient client("127.0.0.1", port);
  return client.get(target, headers);
}

}  // namespace netra::testing
