#include "api/event_streams.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace netra::api {

EventStreams::EventStreams(size_t max_per_user, size_t max_queued)
    : max_per_user_(max_per_user), max_queued_(max_queued) {}

std::shared_ptr<EventStreams::Subscription> EventStreams::subscribe(
    const std::string& user_id, const std::string& credential, asio::any_io_executor executor) {
  std::lock_guard lock(mutex_);
  auto& mine = by_user_[user_id];
  if (mine.size() >= max_per_user_) return nullptr;
  auto subscription = std::make_shared<Subscription>(weak_from_this(), user_id, credential,
                                                     std::move(executor), max_queued_);
  mine.push_back(subscription.get());
  return subscription;
}

void EventStreams::deliver(const std::string& user_id, const std::string& text) {
  std::lock_guard lock(mutex_);
  const auto found = by_user_.find(user_id);
  if (found == by_user_.end()) return;
  auto message = std::make_shared<LiveMessage>();
  message->text = text;
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  message->type = parsed.is_object() ? parsed.value("type", "message") : "message";
  // Under the lock: a subscription unregisters (in its destructor) before it is freed.
  for (Subscription* subscription : found->second) subscription->push(message);
}

void EventStreams::revoke(const std::string& credential) {
  if (credential.empty()) return;
  std::lock_guard lock(mutex_);
  for (auto& [user, subscriptions] : by_user_) {
    for (Subscription* subscription : subscriptions) {
      if (subscription->credential_ != credential) continue;
      {
        std::lock_guard own(subscription->mutex_);
        subscription->revoked_ = true;
      }
      asio::post(subscription->executor_, [weak = subscription->weak_from_this()] {
        if (auto self = weak.lock()) self->timer_.cancel();
      });
    }
  }
}

size_t EventStreams::open() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [user, subscriptions] : by_user_) count += subscriptions.size();
  return count;
}

void EventStreams::remove(Subscription* subscription) {
  std::lock_guard lock(mutex_);
  const auto found = by_user_.find(subscription->user_id_);
  if (found == by_user_.end()) return;
  std::erase(found->second, subscription);
  if (found->second.empty()) by_user_.erase(found);
}

EventStreams::Subscription::Subscription(std::weak_ptr<EventStreams> owner, std::string user_id,
                                         std::string credential, asio::any_io_executor executor,
                                         size_t max_queued)
    : owner_(std::move(owner)),
      user_id_(std::move(user_id)),
      credential_(std::move(credential)),
      executor_(executor),
      max_queued_(max_queued),
      timer_(executor) {}

EventStreams::Subscription::~Subscription() {
  if (auto owner = owner_.lock()) owner->remove(this);
}

void EventStreams::Subscription::push(const std::shared_ptr<const LiveMessage>& message) {
  {
    std::lock_guard lock(mutex_);
    const bool waiting = queue_.empty();
    if (queue_.size() >= max_queued_) {
      overflowed_ = true;
    } else {
      queue_.push_back(message);
    }
    // With messages queued already, the stream takes this one with them before it waits again:
    // no wake-up to post (with 1,000 subscribers that is 1,000 fewer handlers per event).
    if (!waiting && !overflowed_) return;
  }
  // The timer is the executor's to touch; a subscription gone by then needs no waking.
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->timer_.cancel();
  });
}

void EventStreams::Subscription::wake() {
  timer_.cancel();
}

bool EventStreams::Subscription::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

bool EventStreams::Subscription::revoked() const {
  std::lock_guard lock(mutex_);
  return revoked_;
}

std::shared_ptr<const LiveMessage> EventStreams::Subscription::try_next() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return nullptr;
  auto message = std::move(queue_.front());
  queue_.pop_front();
  return message;
}

asio::awaitable<std::shared_ptr<const LiveMessage>> EventStreams::Subscription::next(
    std::chrono::milliseconds timeout) {
  if (auto message = try_next()) co_return message;
  // A push between try_next() and the wait posts its cancel to this executor, which runs it
  // only once this coroutine waits: the wait then ends at once.
  timer_.expires_after(timeout);
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return try_next();
}

}  // namespace netra::api
