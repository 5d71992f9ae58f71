// RedisConnection: one connection to Redis — a hiredis async context (its RESP reader, its
// command buffer) whose socket Asio watches on one executor, through the adapter in the .cpp.
// Commands are pipelined: many may be in flight, answered in order. Every member is called on
// executor() only; hiredis types stay in the .cpp.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.hpp"
#include "redis/redis_reply.hpp"
#include "redis/redis_url.hpp"

struct redisAsyncContext;

namespace netra::redis::detail {

namespace asio = boost::asio;

class RedisConnection {
 public:
  explicit RedisConnection(asio::any_io_executor executor);
  // Closes the context: on executor(), or once its loop no longer runs.
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  const asio::any_io_executor& executor() const { return executor_; }
  // Connected, authenticated and answering (as far as anybody knows).
  bool is_open() const { return context_ != nullptr && ready_; }
  // Why it closed last (for logs and /health); empty while it never failed.
  const std::string& last_error() const { return last_error_; }

  // Connects (a host name is resolved by Asio first: hiredis 0.14 would block on it), then AUTH
  // (when the endpoint has a password), SELECT (database other than 0) and PING, all by
  // `deadline`. Closes a context it had before. An error leaves it closed.
  asio::awaitable<std::optional<RedisError>> open(const RedisEndpoint& endpoint,
                                                  core::Deadline deadline);

  // Sends one command and waits for its reply until `deadline`. A command with no reply by then
  // closes the connection: a server that stalls would only make what is queued behind wait as
  // long, and what waits is answered `unavailable` at once. An error reply is a `server` error.
  asio::awaitable<RedisResult<RedisReply>> command(std::vector<std::string> args,
                                                   core::Deadline deadline);

  // Subscribing (on a connection that carries nothing else): `on_message(channel, payload)` for
  // every message of the channels; the reply to SUBSCRIBE is awaited like a command's. Messages
  // stop when the connection closes; subscribe again after open().
  // `subscription`: the channel, or the pattern the channel matched (PSUBSCRIBE).
  using MessageHandler = std::function<void(const std::string& subscription,
                                            const std::string& channel, std::string payload)>;
  asio::awaitable<std::optional<RedisError>> subscribe(std::vector<std::string> channels,
                                                       bool patterns, MessageHandler on_message,
                                                       core::Deadline deadline);

  // Called (on executor(), from inside hiredis: only schedule work there) when the connection
  // drops by itself or stops answering — not for close() or a failed open().
  void on_lost(std::function<void(const std::string& why)> handler) {
    on_lost_ = std::move(handler);
  }

  // Drops the context now: every command in flight is answered `unavailable` with `reason`.
  void close(std::string reason);

  struct Watch;    // the socket watch hiredis's event hooks drive (defined in the .cpp)
  struct Pending;  // one command waiting for its reply (defined in the .cpp)

 private:
  asio::awaitable<RedisResult<RedisReply>> send(std::vector<std::string> args,
                                                core::Deadline deadline, bool subscription);
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);
  static void on_subscription(redisAsyncContext* context, void* reply, void* privdata);
  // The context is gone (freed by hiredis or by close()): forget it, keep why.
  void forget_context(std::string why, bool lost);

  asio::any_io_executor executor_;
  redisAsyncContext* context_ = nullptr;
  bool ready_ = false;
  std::string last_error_;
  MessageHandler on_message_;
  // Each SUBSCRIBE in flight, with the confirmations it still waits for (they come in order).
  std::deque<std::pair<std::shared_ptr<Pending>, size_t>> subscribing_;
  std::function<void(const std::string&)> on_lost_;
};

}  // namespace netra::redis::detail
