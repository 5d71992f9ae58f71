// TestHttpClient: a small blocking HTTP/1.1 client over a raw socket, with a deadline on every
// wait, for tests that need byte-level control (slow senders, oversized headers, keep-alive).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace netra::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const;
};

class TestHttpClient {
 public:
  // Connects to host ("127.0.0.1", "::1") and port; throws on failure. `source` (IPv4, such as
  // "127.0.0.2") is the address the connection comes from: another client, as the server sees it.
  TestHttpClient(const std::string& host, int port, const std::string& source = "");
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  // Sends raw bytes; false if the peer closed.
  bool send(const std::string& bytes);
  // Reads one response (Content-Length framed); nullopt on timeout or close before a full one.
  std::optional<TestResponse> read_response(
      std::chrono::milliseconds deadline = std::chrono::seconds(5));
  // A GET with keep-alive; convenience for the common case.
  std::optional<TestResponse> get(const std::string& target,
                                  const std::map<std::string, std::string>& headers = {});
  // True if the server closes the connection within the deadline.
  bool closed_within(std::chrono::milliseconds deadline);

 private:
  bool fill(std::chrono::steady_clock::time_point until);

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// Sends one request on a fresh connection and returns the response, or nullopt.
std::optional<TestResponse> http_get(int port, const std::string& target,
                                     const std::map<std::string, std::string>& headers = {});

}  // namespace netra::testing
