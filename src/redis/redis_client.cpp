#include "redis/redis_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>

#include "core/task_failures.hpp"
#include "redis/detail/redis_connection.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

RedisError unavailable(std::string message) {
  return {RedisError::Kind::unavailable, std::move(message)};
}

}  // namespace

std::string RedisScript::sha() const {
  std::lock_guard lock(mutex_);
  return sha_;
}

void RedisScript::set_sha(std::string sha) const {
  std::lock_guard lock(mutex_);
  sha_ = std::move(sha);
}

// One connection and what reconnecting it needs; touched on `executor` only (but `up`).
struct RedisClient::Slot {
  Slot(asio::any_io_executor on, bool for_subscriber)
      : executor(on), connection(on), pause(on), subscriber(for_subscriber) {}
  asio::any_io_executor executor;
  detail::RedisConnection connection;
  asio::steady_timer pause;  // between reconnection attempts
  core::RandomSource random = core::make_random_source();
  bool reconnecting = false;  // an open() or the reconnection loop runs
  bool subscriber = false;
  std::atomic<bool> up{false};
};

class RedisClient::InFlight {
 public:
  explicit InFlight(std::shared_ptr<RedisClient> client) : client_(std::move(client)) {
    client_->in_flight_.fetch_add(1, std::memory_order_relaxed);
  }
  InFlight(InFlight&&) noexcept = default;
  InFlight& operator=(InFlight&&) = delete;
  ~InFlight() {
    if (client_) client_->in_flight_.fetch_sub(1, std::memory_order_relaxed);
  }
  RedisClient& client() const { return *client_; }

 private:
  std::shared_ptr<RedisClient> client_;
};

RedisClient::RedisClient(RedisClientOptions options, std::vector<asio::any_io_executor> executors)
    : options_(std::move(options)), breaker_("redis", options_.breaker) {
  for (auto& executor : executors) slots_.push_back(std::make_unique<Slot>(executor, false));
  subscriber_ = std::make_unique<Slot>(executors.front(), true);
}

RedisClient::~RedisClient() = default;

const asio::any_io_executor& RedisClient::executor() const {
  return subscriber_->executor;
}

size_t RedisClient::open_connections() const {
  size_t open = 0;
  for (const auto& slot : slots_) open += slot->up.load() ? 1 : 0;
  return open;
}

core::Deadline RedisClient::deadline_of(std::optional<core::Deadline> deadline) const {
  const auto own = core::Deadline::after(options_.command_timeout);
  return deadline ? deadline->capped(options_.command_timeout) : own;
}

RedisClient::Slot& RedisClient::pick(const asio::any_io_executor& current) {
  for (auto& slot : slots_) {
    if (slot->executor == current) return *slot;
  }
  return *slots_[next_.fetch_add(1, std::memory_order_relaxed) % slots_.size()];
}

std::vector<std::string> RedisClient::subscriptions(bool patterns) const {
  std::lock_guard lock(channels_mutex_);
  std::vector<std::string> names;
  for (const auto& [name, subscription] : subscriptions_) {
    if (subscription.pattern == patterns) names.push_back(name);
  }
  return names;
}

void RedisClient::subscribed() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(channels_mutex_);
    callbacks = on_subscribed_;
  }
  for (const auto& callback : callbacks) callback();
}

asio::awaitable<std::optional<RedisError>> RedisClient::open_slot(Slot& slot,
                                                                  core::Deadline deadline) {
  // A connection that drops later reconnects by itself (posted: this runs inside hiredis).
  std::weak_ptr<RedisClient> weak = weak_from_this();
  slot.connection.on_lost([weak, &slot](const std::string&) {
    asio::post(slot.executor, [weak, &slot] {
      if (auto self = weak.lock()) self->reconnect_later(slot);
    });
  });
  auto error = co_await slot.connection.open(options_.endpoint, deadline);
  if (!error && slot.subscriber) {
    for (const bool patterns : {false, true}) {
      auto names = subscriptions(patterns);
      if (names.empty() || error) continue;
      error = co_await slot.connection.subscribe(std::move(names), patterns, forwarder(), deadline);
    }
    if (!error) subscribed();
  }
  slot.up = !error.has_value();
  if (slot.subscriber) subscriber_up_ = !error.has_value();
  co_return error;
}

void RedisClient::reconnect_later(Slot& slot) {
  slot.up = false;
  if (slot.subscriber) subscriber_up_ = false;
  if (slot.reconnecting || closed_ || !healing_) return;
  slot.reconnecting = true;
  asio::co_spawn(slot.executor, reconnect(shared_from_this(), slot),
                 core::detached_reporting("a Redis reconnection"));
}

asio::awaitable<void> RedisClient::reconnect(std::shared_ptr<RedisClient> self, Slot& slot) {
  auto log = telemetry::logger("redis");
  const auto what = slot.subscriber ? "the subscriber" : "a command connection";
  int failures = 0;
  while (!closed_) {
    ++failures;
    slot.pause.expires_after(options_.reconnect.backoff(failures, slot.random()));
    (void)co_await slot.pause.async_wait(use_tuple);
    if (closed_) break;
    auto error = co_await open_slot(slot, core::Deadline::after(options_.connect_timeout));
    if (!error) {
      log->info("{} reconnected to {} (attempt {})", what, options_.endpoint.describe(), failures);
      break;
    }
    // The first failure and then every tenth: an outage must not flood the log.
    if (failures == 1 || failures % 10 == 0) {
      log->warn("{} cannot reconnect to {}: {} (attempt {}; trying again)", what,
                options_.endpoint.describe(), error->message, failures);
    }
  }
  slot.reconnecting = false;
  (void)self;
}

asio::awaitable<std::optional<RedisError>> RedisClient::open(core::Deadline deadline) {
  closed_ = false;
  std::optional<RedisError> first;
  auto note = [&first](const std::optional<RedisError>& error) {
    if (!error) return;
    if (!first ||
        (error->kind == RedisError::Kind::auth && first->kind != RedisError::Kind::auth)) {
      first = error;
    }
  };
  auto self = shared_from_this();
  auto open_one = [self, deadline](Slot& slot) -> asio::awaitable<std::optional<RedisError>> {
    if (slot.reconnecting) co_return unavailable("reconnecting");
    slot.reconnecting = true;
    auto error = co_await self->open_slot(slot, deadline);
    slot.reconnecting = false;
    co_return error;
  };
  for (auto& slot : slots_) {
    note(co_await asio::co_spawn(slot->executor, open_one(*slot), asio::use_awaitable));
  }
  note(co_await asio::co_spawn(subscriber_->executor, open_one(*subscriber_), asio::use_awaitable));
  // From here on a connection that drops reconnects by itself; before, the caller retries open().
  healing_ = !first.has_value();
  co_return first;
}

asio::awaitable<void> RedisClient::close() {
  // hiredis drops what it has not written when its context is freed: let what was sent go out.
  const auto until = std::chrono::steady_clock::now() + options_.command_timeout;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < until) {
    pause.expires_after(std::chrono::milliseconds(2));
    (void)co_await pause.async_wait(use_tuple);
  }
  if (const size_t left = in_flight_; left > 0) {
    telemetry::logger("redis")->warn("closing with {} command(s) still unanswered after {} ms",
                                     left, options_.command_timeout.count());
  }
  closed_ = true;
  healing_ = false;
  auto close_one = [](Slot& slot) -> asio::awaitable<void> {
    slot.pause.cancel();
    slot.connection.close("the client was closed");
    slot.up = false;
    co_return;
  };
  for (auto& slot : slots_)
    co_await asio::co_spawn(slot->executor, close_one(*slot), asio::use_awaitable);
  co_await asio::co_spawn(subscriber_->executor, close_one(*subscriber_), asio::use_awaitable);
  subscriber_up_ = false;
}

asio::awaitable<RedisResult<RedisReply>> RedisClient::on_slot(Slot& slot,
                                                              std::vector<std::string> args,
                                                              core::Deadline deadline) {
  if (!slot.connection.is_open()) {
    reconnect_later(slot);
    const auto& why = slot.connection.last_error();
    co_return unavailable(why.empty() ? "not connected" : why);
  }
  auto result = co_await slot.connection.command(std::move(args), deadline);
  slot.up = slot.connection.is_open();
  co_return result;
}

namespace {

// "GET", "EVALSHA": what a command is called in its span and metrics, never its keys or values.
std::string command_name(const std::vector<std::string>& args) {
  std::string name = args.empty() ? std::string() : args.front();
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// A command's client span in a sampled trace: "redis GET".
telemetry::ActiveSpan command_span(const std::string& name) {
  if (!telemetry::recording_now()) {
    return telemetry::ActiveSpan(nullptr, "", telemetry::SpanKind::client);
  }
  telemetry::ActiveSpan span("redis " + name, telemetry::SpanKind::client);
  span.set("db.system", std::string("redis"));
  span.set("db.operation.name", name);
  return span;
}

}  // namespace

asio::awaitable<RedisResult<RedisReply>> RedisClient::command(
    std::vector<std::string> args, std::optional<core::Deadline> deadline) {
  // Named only when something will read the name: a command is on hot paths (rate limits).
  const std::string name =
      options_.on_command || telemetry::recording_now() ? command_name(args) : std::string();
  auto span = command_span(name);
  const InFlight counted(shared_from_this());
  const auto began = std::chrono::steady_clock::now();
  if (closed_) co_return unavailable("the client was closed");
  if (!breaker_.allow()) co_return unavailable("circuit breaker open: Redis keeps failing");
  const auto current = co_await asio::this_coro::executor;
  auto& slot = pick(current);
  const auto until = deadline_of(deadline);
  RedisResult<RedisReply> result;
  if (slot.executor == current) {
    result = co_await on_slot(slot, std::move(args), until);
  } else {
    result = co_await asio::co_spawn(slot.executor, on_slot(slot, std::move(args), until),
                                     asio::use_awaitable);
  }
  breaker_.record(result.ok() || !result.error().is_outage());
  if (!result) span.fail(result.error().message);
  if (options_.on_command) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
    options_.on_command(name, took.count(), result.ok() || !result.error().is_outage());
  }
  co_return result;
}

void RedisClient::send_detached(std::vector<std::string> args, std::string what) {
  // Counted from here, not from when the coroutine first runs: a close() between the two waits.
  // (No captures: g++ 12 destroys the captures of a lambda coroutine given to co_spawn twice.)
  auto send = [](InFlight counted, std::vector<std::string> args,
                 std::string what) -> asio::awaitable<void> {
    auto answer = co_await counted.client().command(std::move(args));
    if (!answer) telemetry::logger("redis")->debug("{}: {}", what, answer.error().message);
  };
  asio::co_spawn(executor(), send(InFlight(shared_from_this()), std::move(args), std::move(what)),
                 core::detached_reporting("a Redis command nobody awaits"));
}

asio::awaitable<RedisResult<RedisReply>> RedisClient::eval(const RedisScript& script,
                                                           std::vector<std::string> keys,
                                                           std::vector<std::string> args,
                                                           std::optional<core::Deadline> deadline) {
  const auto until = deadline_of(deadline);
  std::vector<std::string> call{"EVALSHA", "", std::to_string(keys.size())};
  for (auto& k : keys) call.push_back(std::move(k));
  for (auto& a : args) call.push_back(std::move(a));
  for (int attempt = 0; attempt < 2; ++attempt) {
    call[1] = script.sha();
    if (call[1].empty() || attempt > 0) {
      std::vector<std::string> load{"SCRIPT", "LOAD", script.source()};
      auto loaded = co_await command(std::move(load), until);
      if (!loaded) co_return loaded.error();
      script.set_sha(loaded->text);
      call[1] = loaded->text;
    }
    auto result = co_await command(call, until);
    if (result || !result.error().is_noscript()) co_return result;
    // NOSCRIPT: Redis restarted or its scripts were flushed; load it again, once.
  }
  co_return RedisError{RedisError::Kind::server, "NOSCRIPT after SCRIPT LOAD"};
}

std::function<void(const std::string&, const std::string&, std::string)> RedisClient::forwarder() {
  return [weak = weak_from_this()](const std::string& subscription, const std::string& channel,
                                   std::string payload) {
    auto self = weak.lock();
    if (!self) return;
    MessageHandler handler;
    {
      std::lock_guard lock(self->channels_mutex_);
      if (auto it = self->subscriptions_.find(subscription); it != self->subscriptions_.end()) {
        handler = it->second.handler;
      }
    }
    if (handler) handler(channel, std::move(payload));
  };
}

void RedisClient::add_channels(const std::vector<std::string>& channels, MessageHandler handler) {
  std::lock_guard lock(channels_mutex_);
  for (const auto& c : channels) subscriptions_[c] = {false, handler};
}

void RedisClient::add_patterns(const std::vector<std::string>& patterns, MessageHandler handler) {
  std::lock_guard lock(channels_mutex_);
  for (const auto& p : patterns) subscriptions_[p] = {true, handler};
}

void RedisClient::on_subscribed(std::function<void()> callback) {
  std::lock_guard lock(channels_mutex_);
  on_subscribed_.push_back(std::move(callback));
}

asio::awaitable<std::optional<RedisError>> RedisClient::subscribe(std::vector<std::string> channels,
                                                                  MessageHandler handler) {
  add_channels(channels, std::move(handler));
  auto self = shared_from_this();
  auto now = [self, channels = std::move(
                        channels)]() mutable -> asio::awaitable<std::optional<RedisError>> {
    auto& slot = *self->subscriber_;
    // Not open: the channels are subscribed when it (re)connects.
    if (!slot.connection.is_open()) co_return unavailable("the subscriber is not connected");
    co_return co_await slot.connection.subscribe(std::move(channels), false, self->forwarder(),
                                                 self->deadline_of(std::nullopt));
  };
  co_return co_await asio::co_spawn(subscriber_->executor, now(), asio::use_awaitable);
}

}  // namespace netra::redis
