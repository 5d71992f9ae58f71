// MisbehavingPeer: a raw TCP listener on 127.0.0.1 whose connections each run a script the test
// writes (stall, cut a response short, drop a keep-alive connection...) — the peers a real server
// never is, for tests of the HTTP client. Every wait is bounded; the destructor joins everything.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace netra::testing {

class MisbehavingPeer;

// One accepted connection, driven by the script on its own thread.
class PeerConnection {
 public:
  PeerConnection(int fd, MisbehavingPeer& peer) : fd_(fd), peer_(peer) {}
  ~PeerConnection();
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  // Reads one request: headers and a Content-Length body (recorded in MisbehavingPeer::requests).
  // nullopt if the client closed first or `timeout` passed.
  std::optional<std::string> read_request(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Writes all of `bytes`; false if the client is gone.
  bool send(std::string_view bytes);
  // Blocks until the client closes the connection, the peer stops, or `timeout` passes; true if
  // the client closed.
  bool wait_for_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Does nothing, reading nothing either, until the peer stops or `timeout` passes.
  void stall(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void close();  // an orderly close (FIN)

 private:
  // Appends what arrives within `until`; false on close, timeout or the peer stopping.
  bool fill(std::chrono::steady_clock::time_point until);

  int fd_;
  MisbehavingPeer& peer_;
  std::string buffer_;
};

// "HTTP/1.1 200 OK" with a Content-Length body (keep-alive unless `close`).
std::string ok_response(std::string_view body, bool close = false);

class MisbehavingPeer {
 public:
  // Runs `script(connection, index)` for each accepted connection, index counting from 0; the
  // connection is closed when the script returns.
  using Script = std::function<void(PeerConnection&, size_t index)>;

  explicit MisbehavingPeer(Script script);
  ~MisbehavingPeer();
  MisbehavingPeer(const MisbehavingPeer&) = delete;
  MisbehavingPeer& operator=(const MisbehavingPeer&) = delete;

  int port() const { return port_; }
  std::string url(std::string_view path = "/") const;
  size_t connections() const { return accepted_.load(); }
  std::vector<std::string> requests() const;  // every request read, in order
  bool stopping() const { return stopping_.load(); }

 private:
  friend class PeerConnection;
  void accept_loop();
  void record(std::string request);

  Script script_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::thread> connection_threads_;  // joined by the destructor
  std::thread acceptor_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int closed_port();

}  // namespace netra::testing
