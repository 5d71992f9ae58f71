// RedisClient: the service's connections to one Redis — one command connection per event loop
// (a command goes out on the caller's own loop when it runs on one, so no thread hop), and one
// subscriber connection. hiredis pipelines on each connection, so there is no exclusive pool.
// Every command has a deadline; a circuit breaker answers at once while Redis keeps failing; a
// connection that dropped reconnects in the background with full-jitter backoff, and the
// subscriber subscribes again to its channels. Thread-safe; owned by a shared_ptr.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/deadline.hpp"
#include "core/retry_policy.hpp"
#include "redis/redis_reply.hpp"
#include "redis/redis_url.hpp"

namespace netra::redis {

namespace asio = boost::asio;

struct RedisClientOptions {
  RedisEndpoint endpoint;
  // A command's own budget; a caller's earlier deadline wins.
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds connect_timeout{2000};
  // Pauses between reconnection attempts (attempts is not used: it tries until closed).
  core::RetryPolicy reconnect{1, std::chrono::milliseconds(100), std::chrono::milliseconds(5000)};
  core::BreakerOptions breaker{20, 5, 0.5, std::chrono::milliseconds(2000), 1};
  // Told of each command once it ended: its name ("GET", "EVALSHA"), its time, and whether Redis
  // answered it (an error reply counts as answered) — for the dependency metrics.
  std::function<void(std::string_view command, double seconds, bool ok)> on_command = nullptr;
};

// A Lua script, loaded into Redis once (SCRIPT LOAD) and called by its SHA; loaded again when
// Redis answers NOSCRIPT (after a restart or SCRIPT FLUSH). Thread-safe; lives as long as the
// client uses it (a static, usually).
class RedisScript {
 public:
  explicit RedisScript(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  friend class RedisClient;
  std::string sha() const;
  void set_sha(std::string sha) const;

  std::string source_;
  mutable std::mutex mutex_;
  mutable std::string sha_;
};

// The start of a script that reads Redis's clock: sets the local `now` to Unix ms, so that the
// instances' clocks do not matter. Scripts may read it in Redis 7 (effects replication).
inline constexpr const char* kLuaNowMs = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

class RedisClient : public std::enable_shared_from_this<RedisClient> {
 public:
  // One command connection per executor (each an event loop's); the subscriber uses the first.
  RedisClient(RedisClientOptions options, std::vector<asio::any_io_executor> executors);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  const RedisEndpoint& endpoint() const { return options_.endpoint; }
  // The first executor (the subscriber's): where work about this client may run.
  const asio::any_io_executor& executor() const;
  const core::CircuitBreaker& breaker() const { return breaker_; }
  // Command connections that are open now, and how many there are.
  size_t open_connections() const;
  size_t connection_count() const { return slots_.size(); }

  // Opens every connection (command ones and the subscriber) by `deadline`. Returns the first
  // error (an authentication error before any other); then call it again to retry. After an
  // open() that succeeded, a connection that drops reconnects by itself until close().
  asio::awaitable<std::optional<RedisError>> open(core::Deadline deadline);
  // Lets the commands in flight be answered (for at most the command timeout: a place given back
  // as the service stops reaches Redis instead of lapsing), then stops reconnecting and closes
  // every connection; commands then answer `unavailable`.
  asio::awaitable<void> close();
  // Commands sent and not yet answered (send_detached's included), for close() and tests.
  size_t in_flight() const { return in_flight_.load(); }

  // One command, by the earlier of `deadline` and the command timeout from now.
  asio::awaitable<RedisResult<RedisReply>> command(std::vector<std::string> args,
                                                   std::optional<core::Deadline> deadline = {});
  // A command whose answer nobody waits for (a place given back): in flight from this call, so a
  // close() that follows still sends it. Runs on the first executor; a failure is logged at debug
  // with `what`.
  void send_detached(std::vector<std::string> args, std::string what);
  // EVALSHA of the script (SCRIPT LOAD first, and again after NOSCRIPT).
  asio::awaitable<RedisResult<RedisReply>> eval(const RedisScript& script,
                                                std::vector<std::string> keys,
                                                std::vector<std::string> args,
                                                std::optional<core::Deadline> deadline = {});

  // Publishing goes through command(); receiving through the subscriber connection. Each
  // channel has its handler, run on the first executor (briefly: it holds the subscriber).
  using MessageHandler = std::function<void(const std::string& channel, std::string payload)>;
  // The channels are subscribed when the subscriber (re)connects: for wiring, before open().
  void add_channels(const std::vector<std::string>& channels, MessageHandler handler);
  // The same for patterns (PSUBSCRIBE: "netra:events:*"); the handler gets the channel matched.
  void add_patterns(const std::vector<std::string>& patterns, MessageHandler handler);
  // add_channels, and subscribed now (the reply awaited) when the subscriber is open.
  asio::awaitable<std::optional<RedisError>> subscribe(std::vector<std::string> channels,
                                                       MessageHandler handler);
  // Runs on the first executor each time the subscriber has (re)subscribed to every channel:
  // whatever was published while it was away was missed, and may be read back now.
  void on_subscribed(std::function<void()> callback);
  // Whether the subscriber is connected and subscribed (a message published meanwhile is missed).
  bool subscriber_open() const { return subscriber_up_.load(); }

  struct Slot;  // one connection and its reconnection state (defined in the .cpp)

 private:
  class InFlight;  // counts one command in flight while it lives (defined in the .cpp)
  core::Deadline deadline_of(std::optional<core::Deadline> deadline) const;
  Slot& pick(const asio::any_io_executor& current);
  asio::awaitable<RedisResult<RedisReply>> on_slot(Slot& slot, std::vector<std::string> args,
                                                   core::Deadline deadline);
  void reconnect_later(Slot& slot);  // on the slot's executor
  asio::awaitable<void> reconnect(std::shared_ptr<RedisClient> self, Slot& slot);
  asio::awaitable<std::optional<RedisError>> open_slot(Slot& slot, core::Deadline deadline);
  // What is subscribed (channels, or patterns), by name.
  std::vector<std::string> subscriptions(bool patterns) const;
  // What the subscriber connection calls: the subscription's handler, while this client lives.
  std::function<void(const std::string&, const std::string&, std::string)> forwarder();
  void subscribed();  // tells the on_subscribed callbacks

  RedisClientOptions options_;
  core::CircuitBreaker breaker_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<Slot> subscriber_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> closed_{false};
  std::atomic<bool> healing_{false};  // reconnect what drops: after a complete open()
  std::atomic<bool> subscriber_up_{false};
  std::atomic<size_t> in_flight_{0};
  mutable std::mutex channels_mutex_;
  struct Subscription {
    bool pattern = false;
    MessageHandler handler;
  };
  std::map<std::string, Subscription> subscriptions_;
  std::vector<std::function<void()>> on_subscribed_;
};

}  // namespace netra::redis
