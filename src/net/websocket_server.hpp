// WebSocketServer: the sockets the HTTP server upgrades (Boost.Beast behind a pimpl), a registry
// of them by user, and their limits. What a message means is the handler's business; this owns
// admission, keep-alive, size and rate limits, bounded outbound queues, and the close codes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/settings_schema.hpp"
#include "net/http_message.hpp"

namespace netra::net {

namespace asio = boost::asio;

struct WebSocketSettings {
  size_t max_message_bytes = 64 * 1024;  // a bigger message closes the socket with 1009
  // A protocol ping goes out every interval; no frame from the client within one more interval
  // closes the socket.
  std::chrono::milliseconds ping_interval{20000};
  size_t max_connections = 10000;        // per instance
  size_t max_connections_per_user = 10;  // per instance
  // What may wait to be written to one socket; a client that reads slower than its events come
  // is closed with 1013 rather than allowed to grow memory.
  size_t max_queued_bytes = 1024 * 1024;
  double messages_per_second = 20;  // per connection, on average...
  size_t message_burst = 40;        // ...with bursts up to this many
  // The handshake's answer, and the close handshake, each within this.
  std::chrono::milliseconds handshake_timeout{10000};
};

// The `websocket.*` keys of the socket limits.
const core::SettingsSchema<WebSocketSettings>& websocket_settings_schema();

// Close codes the server sends: RFC 6455's, and two of the range it leaves to applications
// (4000-4999) that tell a client what to do about its credential.
enum class CloseCode : uint16_t {
  normal = 1000,
  going_away = 1001,       // shutdown
  policy = 1008,           // refused credentials, over a per-user limit
  too_big = 1009,          // a message over max_message_bytes
  try_again_later = 1013,  // overloaded: instance limit, slow reader
  token_expired = 4001,    // the token it opened with expired: refresh it, then reconnect
  session_revoked = 4003,  // its login was revoked (logout, a stolen refresh token): sign in
};

// One open socket, as the handler sees it. Thread-safe: send and close may be called from any
// thread, before or after the socket has closed (then they do nothing).
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  virtual const std::string& id() const = 0;       // "ws_…", unique in this process
  virtual const std::string& user_id() const = 0;  // who authenticated it
  // Queues one text message. False when the socket is closed or closing; a message that takes
  // the queue over max_queued_bytes closes the socket with 1013 instead.
  virtual bool send(std::string text) = 0;
  // Sends `message` (if not empty) and then a close frame with `code`.
  virtual void close(CloseCode code, std::string reason, std::string message = {}) = 0;
};

// Who may open a socket: decided from the upgrade request before the handshake is answered.
struct WebSocketAdmission {
  // user_full: the credential is good, but the user holds their limit of sockets elsewhere (on
  // the other instances of a cluster): turned away like one over the per-instance limit.
  enum class Kind { accepted, refused, unavailable, user_full } kind = Kind::refused;
  std::string user_id;      // accepted or user_full
  std::string subprotocol;  // echoed in the handshake answer when not empty
  std::string reason;       // not accepted: for the log (user_full: for the client), no credential
  // When the credential it opened with stops being valid (Unix seconds; 0: never): the socket is
  // closed then with token_expired.
  int64_t expires_at = 0;
  // The login the credential belongs to (close_session ends its sockets); empty when unknown.
  std::string session_id;
  // Kept as long as the socket is open, then dropped (a place in a cluster-wide count).
  std::shared_ptr<void> place;
};

class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual asio::awaitable<WebSocketAdmission> admit(const HttpRequest& upgrade) = 0;
  // The text sent, before anything else, to a socket that admission refused or a limit turned
  // away (`code` is "AUTH_FAILED", "AUTH_UNAVAILABLE", "TOO_MANY_CONNECTIONS").
  virtual std::string refusal(const std::string& code, const std::string& message) = 0;
  // The socket is open and registered: a greeting may be sent.
  virtual void opened(const std::shared_ptr<WebSocketConnection>& connection) = 0;
  // One text message from the client, in order: the next is not read until this returns.
  virtual asio::awaitable<void> received(std::shared_ptr<WebSocketConnection> connection,
                                         std::string text) = 0;
  // A message the limits refused without passing it on ("RATE_LIMITED", "BINARY_NOT_SUPPORTED"),
  // or why the server closes a socket that was open ("TOKEN_EXPIRED", "SESSION_REVOKED").
  virtual std::string rejection(const std::string& code, const std::string& message) = 0;
};

struct WebSocketStats {
  size_t open = 0;
  uint64_t accepted = 0;
  uint64_t refused = 0;         // admission said no
  uint64_t over_limit = 0;      // turned away by max_connections or the per-user limit
  uint64_t closed_slow = 0;     // closed with 1013 for not reading
  uint64_t closed_too_big = 0;  // closed with 1009
  uint64_t closed_no_pong = 0;  // the keep-alive found the peer gone
  uint64_t closed_expired = 0;  // closed with 4001: the credential expired
  uint64_t closed_revoked = 0;  // closed with 4003: the login was revoked
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t rate_limited = 0;
};

namespace detail {
struct WebSocketUpgrade;
}

class WebSocketServer {
 public:
  WebSocketServer(WebSocketSettings settings, WebSocketHandler& handler);
  ~WebSocketServer();
  WebSocketServer(const WebSocketServer&) = delete;
  WebSocketServer& operator=(const WebSocketServer&) = delete;

  // Queues `text` on every socket `user_id` holds; returns how many. Thread-safe.
  size_t send_to_user(const std::string& user_id, const std::string& text);
  size_t connections() const;
  size_t connections_of(const std::string& user_id) const;
  WebSocketStats stats() const;
  const WebSocketSettings& settings() const;

  // Closes every socket opened with a credential of login `session_id` with session_revoked;
  // returns how many. Thread-safe.
  size_t close_session(const std::string& session_id);

  // Upgrades stop being accepted; every socket gets a close frame with `code` (1001 at
  // shutdown), and those still open after `timeout` are cut.
  asio::awaitable<void> close_all(CloseCode code, std::string reason,
                                  std::chrono::milliseconds timeout);

  // For HttpServer: takes over a connection whose request asked for the upgrade.
  void take_over(detail::WebSocketUpgrade&& upgrade);

  class Impl;  // opaque outside websocket_server.cpp

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace netra::net
