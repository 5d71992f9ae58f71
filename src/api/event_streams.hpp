// EventStreams: this instance's server-sent-event subscribers, by user. RunEventFanout hands it
// every event it hands the user's sockets — a run's events and thread changes, made here or heard
// from another instance through Redis — and GET /api/events and GET /api/runs/{id}/events wait
// on a Subscription each. A user holds at most `max_per_user` subscriptions on an instance; each
// queues at most `max_queued` messages, past which it is marked overflowed (its stream ends, and
// its client resumes from Last-Event-ID: the run's steps are stored, nothing is lost).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace netra::api {

namespace asio = boost::asio;

// One live message as every subscription of the user gets it: the JSON the sockets get, and its
// `type`, read once for all of them.
struct LiveMessage {
  std::string text;
  std::string type;
};

class EventStreams : public std::enable_shared_from_this<EventStreams> {
 public:
  EventStreams(size_t max_per_user, size_t max_queued = 1000);

  class Subscription : public std::enable_shared_from_this<Subscription> {
   public:
    Subscription(std::weak_ptr<EventStreams> owner, std::string user_id, std::string credential,
                 asio::any_io_executor executor, size_t max_queued);
    ~Subscription();
    // The next message (the JSON clients get over the socket), waiting at most `timeout`;
    // null when the wait ended without one (the timeout, or wake()). On the executor the
    // subscription was made with.
    asio::awaitable<std::shared_ptr<const LiveMessage>> next(std::chrono::milliseconds timeout);
    // The next message if one is queued, without waiting; null when none is.
    std::shared_ptr<const LiveMessage> try_next();
    // Ends a wait in next() (on the subscription's executor).
    void wake();
    bool overflowed() const;
    // The login (or API key) it was opened with was revoked: the stream must end.
    bool revoked() const;

   private:
    friend class EventStreams;
    void push(const std::shared_ptr<const LiveMessage>& message);

    std::weak_ptr<EventStreams> owner_;
    const std::string user_id_;
    const std::string credential_;  // the login's session id, or the API key's id
    asio::any_io_executor executor_;
    const size_t max_queued_;
    asio::steady_timer timer_;
    mutable std::mutex mutex_;
    std::deque<std::shared_ptr<const LiveMessage>> queue_;
    bool overflowed_ = false;
    bool revoked_ = false;
  };

  // A subscription to `user_id`'s events, woken on `executor`; null when the user holds
  // max_per_user already. `credential`: the login's session id or the API key's id, whose
  // revocation ends it.
  std::shared_ptr<Subscription> subscribe(const std::string& user_id, const std::string& credential,
                                          asio::any_io_executor executor);
  // A login or API key was revoked (a logout, a deleted key; RevokedSessions' listener): the
  // streams it opened end at once. Thread-safe.
  void revoke(const std::string& credential);
  // One message for the user's subscriptions. Thread-safe; never waits on a subscriber.
  void deliver(const std::string& user_id, const std::string& text);
  size_t open() const;

 private:
  void remove(Subscription* subscription);

  const size_t max_per_user_;
  const size_t max_queued_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Subscription*>> by_user_;
};

}  // namespace netra::api
