#include "redis/detail/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "redis/detail/hiredis_replies.hpp"

namespace netra::redis::detail {

namespace {

using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

RedisError unavailable(std::string message) {
  return {RedisError::Kind::unavailable, std::move(message)};
}

// Resolves a host name without blocking the loop (hiredis 0.14 would call getaddrinfo itself);
// an address is used as it is.
asio::awaitable<core::Result<std::string, RedisError>> address_of(const std::string& host,
                                                                  uint16_t port,
                                                                  core::Deadline deadline) {
  boost::system::error_code parse_error;
  const auto address = asio::ip::make_address(host, parse_error);
  if (!parse_error) co_return address.to_string();
  auto executor = co_await asio::this_coro::executor;
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer timer(executor, deadline.when());
  timer.async_wait([resolver](boost::system::error_code ec) {
    if (!ec) resolver->cancel();
  });
  auto [ec, results] = co_await resolver->async_resolve(host, std::to_string(port), use_tuple);
  timer.cancel();
  if (ec == asio::error::operation_aborted) {
    co_return unavailable("could not resolve " + host + " in time");
  }
  if (ec || results.empty())
    co_return unavailable("could not resolve " + host + ": " + ec.message());
  co_return results.begin()->endpoint().address().to_string();
}

}  // namespace

// Watches the context's socket for hiredis: its addRead/addWrite hooks arm a one-shot wait on the
// descriptor, whose completion calls redisAsyncHandleRead/Write and arms again while wanted.
// hiredis owns the descriptor: cleanup releases it (cancelling the waits) before hiredis closes
// it. Shared with the pending waits, so a wait that completes after cleanup finds no context.
struct RedisConnection::Watch : std::enable_shared_from_this<RedisConnection::Watch> {
  Watch(asio::any_io_executor executor, int fd) : descriptor(std::move(executor), fd) {}
  ~Watch() { release(); }

  void release() {
    context = nullptr;
    want_read = want_write = false;
    if (descriptor.is_open()) (void)descriptor.release();
  }

  void arm(asio::posix::descriptor_base::wait_type type) {
    const bool read = type == asio::posix::descriptor_base::wait_read;
    (read ? waiting_read : waiting_write) = true;
    descriptor.async_wait(
        type, [self = shared_from_this(), read, type](boost::system::error_code ec) {
          (read ? self->waiting_read : self->waiting_write) = false;
          if (ec || self->context == nullptr || !(read ? self->want_read : self->want_write))
            return;
          // May free the context (an error, EOF): cleanup then clears `context`.
          if (read) {
            redisAsyncHandleRead(self->context);
          } else {
            redisAsyncHandleWrite(self->context);
          }
          if (self->context != nullptr && (read ? self->want_read : self->want_write) &&
              !(read ? self->waiting_read : self->waiting_write)) {
            self->arm(type);
          }
        });
  }

  // hiredis's ev.data: a reference of its own, dropped by cleanup, so the watch outlives every
  // hook call whatever the connection does meanwhile.
  static Watch& of(void* data) { return **static_cast<std::shared_ptr<Watch>*>(data); }
  static void add_read(void* data) {
    auto& w = of(data);
    w.want_read = true;
    if (!w.waiting_read) w.arm(asio::posix::descriptor_base::wait_read);
  }
  static void del_read(void* data) { of(data).want_read = false; }
  static void add_write(void* data) {
    auto& w = of(data);
    w.want_write = true;
    if (!w.waiting_write) w.arm(asio::posix::descriptor_base::wait_write);
  }
  static void del_write(void* data) { of(data).want_write = false; }
  static void cleanup(void* data) {
    std::unique_ptr<std::shared_ptr<Watch>> held(static_cast<std::shared_ptr<Watch>*>(data));
    (*held)->release();
  }

  asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context = nullptr;
  bool want_read = false;
  bool want_write = false;
  bool waiting_read = false;
  bool waiting_write = false;
};

struct RedisConnection::Pending {
  explicit Pending(const asio::any_io_executor& executor) : timer(executor) {}
  void finish(RedisResult<RedisReply> result) {
    if (outcome) return;
    outcome = std::move(result);
    timer.cancel();
  }
  asio::steady_timer timer;
  std::optional<RedisResult<RedisReply>> outcome;
};

RedisConnection::RedisConnection(asio::any_io_executor executor) : executor_(std::move(executor)) {}

RedisConnection::~RedisConnection() {
  close("the connection was closed");
}

void RedisConnection::forget_context(std::string why, bool lost) {
  context_ = nullptr;
  ready_ = false;
  last_error_ = std::move(why);
  for (auto& waiting : subscribing_) waiting.first->finish(unavailable(last_error_));
  subscribing_.clear();
  if (lost && on_lost_) on_lost_(last_error_);
}

void RedisConnection::on_connect(const redisAsyncContext* context, int status) {
  // A failed connect is freed by hiredis right after this, without on_disconnect.
  if (status == REDIS_OK) return;
  static_cast<RedisConnection*>(context->data)->forget_context(context->errstr, false);
}

void RedisConnection::on_disconnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self->context_ != context) return;  // close() already let it go
  self->forget_context(status == REDIS_OK ? "the connection was closed"
                                          : std::string("connection lost: ") + context->errstr,
                       true);
}

void RedisConnection::on_reply(redisAsyncContext* context, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<Pending>> pending(
      static_cast<std::shared_ptr<Pending>*>(privdata));
  if (reply == nullptr) {
    // Dropped: the connection failed, or it was freed with this command in flight.
    const auto* self = static_cast<const RedisConnection*>(context->data);
    std::string why = context->err != 0 ? std::string(context->errstr) : self->last_error_;
    (*pending)->finish(unavailable(why.empty() ? "the connection was closed" : why));
    return;
  }
  const auto& r = *static_cast<const redisReply*>(reply);
  if (r.type == REDIS_REPLY_ERROR) {
    (*pending)->finish(RedisError{RedisError::Kind::server, std::string(r.str, r.len)});
  } else {
    (*pending)->finish(copy_reply(r));
  }
}

void RedisConnection::on_subscription(redisAsyncContext* context, void* reply, void* privdata) {
  (void)context;
  auto* self = static_cast<RedisConnection*>(privdata);
  if (reply == nullptr) return;  // closing: forget_context answers a SUBSCRIBE still waiting
  const auto& r = *static_cast<const redisReply*>(reply);
  if (r.type == REDIS_REPLY_ERROR) {
    if (self->subscribing_.empty()) return;
    self->subscribing_.front().first->finish(
        RedisError{RedisError::Kind::server, std::string(r.str, r.len)});
    self->subscribing_.pop_front();
    return;
  }
  if (r.type != REDIS_REPLY_ARRAY || r.elements < 3 || r.element[0]->type != REDIS_REPLY_STRING) {
    return;
  }
  auto text = [&r](size_t i) { return std::string(r.element[i]->str, r.element[i]->len); };
  const std::string_view kind(r.element[0]->str, r.element[0]->len);
  if (kind == "message" && self->on_message_) {
    const auto channel = text(1);
    self->on_message_(channel, channel, text(2));
  } else if (kind == "pmessage" && r.elements == 4 && self->on_message_) {
    self->on_message_(text(1), text(2), text(3));
  } else if ((kind == "subscribe" || kind == "psubscribe") && !self->subscribing_.empty() &&
             --self->subscribing_.front().second == 0) {
    self->subscribing_.front().first->finish(copy_reply(r));
    self->subscribing_.pop_front();
  }
}

void RedisConnection::close(std::string reason) {
  if (context_ == nullptr) return;
  auto* context = context_;
  forget_context(std::move(reason), false);
  // Answers every command in flight (on_reply with no reply) and calls cleanup; deferred by
  // hiredis when inside one of its callbacks.
  redisAsyncFree(context);
}

asio::awaitable<RedisResult<RedisReply>> RedisConnection::send(std::vector<std::string> args,
                                                               core::Deadline deadline,
                                                               bool subscription) {
  if (context_ == nullptr)
    co_return unavailable(last_error_.empty() ? "not connected" : last_error_);
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto pending = std::make_shared<Pending>(executor_);
  int sent = REDIS_ERR;
  if (subscription) {
    subscribing_.emplace_back(pending, args.size() - 1);
    sent = redisAsyncCommandArgv(context_, &RedisConnection::on_subscription, this,
                                 static_cast<int>(argv.size()), argv.data(), lengths.data());
  } else {
    auto* owned = new std::shared_ptr<Pending>(pending);
    sent = redisAsyncCommandArgv(context_, &RedisConnection::on_reply, owned,
                                 static_cast<int>(argv.size()), argv.data(), lengths.data());
    if (sent != REDIS_OK) delete owned;  // hiredis did not take it
  }
  if (sent != REDIS_OK) co_return unavailable("the connection is closing");
  if (!pending->outcome) {
    pending->timer.expires_at(deadline.when());
    (void)co_await pending->timer.async_wait(use_tuple);
  }
  if (pending->outcome) co_return std::move(*pending->outcome);
  // No reply in time: whatever is queued behind it would wait as long.
  close("no reply within the command deadline");
  if (on_lost_) on_lost_(last_error_);
  co_return RedisError{RedisError::Kind::timeout, "no reply within the command deadline"};
}

asio::awaitable<RedisResult<RedisReply>> RedisConnection::command(std::vector<std::string> args,
                                                                  core::Deadline deadline) {
  if (!is_open()) co_return unavailable(last_error_.empty() ? "not connected" : last_error_);
  co_return co_await send(std::move(args), deadline, false);
}

asio::awaitable<std::optional<RedisError>> RedisConnection::subscribe(
    std::vector<std::string> channels, bool patterns, MessageHandler on_message,
    core::Deadline deadline) {
  if (!is_open()) co_return unavailable(last_error_.empty() ? "not connected" : last_error_);
  on_message_ = std::move(on_message);
  channels.insert(channels.begin(), patterns ? "PSUBSCRIBE" : "SUBSCRIBE");
  auto confirmed = co_await send(std::move(channels), deadline, true);
  if (!confirmed) co_return confirmed.error();
  co_return std::nullopt;
}

asio::awaitable<std::optional<RedisError>> RedisConnection::open(const RedisEndpoint& endpoint,
                                                                 core::Deadline deadline) {
  close("reconnecting");
  redisAsyncContext* context = nullptr;
  if (endpoint.is_unix()) {
    context = redisAsyncConnectUnix(endpoint.socket_path.c_str());
  } else {
    auto address = co_await address_of(endpoint.host, endpoint.port, deadline);
    if (!address) co_return address.error();
    context = redisAsyncConnect(address->c_str(), endpoint.port);
  }
  if (context == nullptr) co_return unavailable("out of memory");
  if (context->err != 0) {
    std::string why = context->errstr;
    redisAsyncFree(context);
    last_error_ = why;
    co_return unavailable(std::move(why));
  }
  bound_replies(*context->c.reader);
  context->data = this;
  auto watch = std::make_shared<Watch>(executor_, context->c.fd);
  watch->context = context;
  context->ev.data = new std::shared_ptr<Watch>(std::move(watch));
  context->ev.addRead = &Watch::add_read;
  context->ev.delRead = &Watch::del_read;
  context->ev.addWrite = &Watch::add_write;
  context->ev.delWrite = &Watch::del_write;
  context->ev.cleanup = &Watch::cleanup;
  redisAsyncSetConnectCallback(context, &RedisConnection::on_connect);
  redisAsyncSetDisconnectCallback(context, &RedisConnection::on_disconnect);
  context_ = context;

  if (!endpoint.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    auto answered = co_await send(std::move(auth), deadline, false);
    if (!answered) {
      if (answered.error().kind != RedisError::Kind::server) co_return answered.error();
      // The server's words (WRONGPASS …) never hold the password.
      close("authentication failed: " + answered.error().message);
      co_return RedisError{RedisError::Kind::auth, last_error_};
    }
  }
  if (endpoint.database != 0) {
    std::vector<std::string> select{"SELECT", std::to_string(endpoint.database)};
    auto selected = co_await send(std::move(select), deadline, false);
    if (!selected) {
      close("SELECT " + std::to_string(endpoint.database) + ": " + selected.error().message);
      co_return RedisError{selected.error().kind, last_error_};
    }
  }
  std::vector<std::string> ping{"PING"};
  auto pong = co_await send(std::move(ping), deadline, false);
  if (!pong) {
    // NOAUTH: the server wants a password the URL does not give.
    if (pong.error().kind == RedisError::Kind::server) {
      close("authentication failed: " + pong.error().message);
      co_return RedisError{RedisError::Kind::auth, last_error_};
    }
    co_return pong.error();
  }
  ready_ = true;
  last_error_.clear();
  co_return std::nullopt;
}

}  // namespace netra::redis::detail
