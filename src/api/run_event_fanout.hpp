// RunEventFanout: how a run's events (and a job's progress) reach the sockets and event streams
// (EventStreams) of its user on every instance. Each event (stored as a step before it gets here)
// goes to this instance's sockets at once and, with Redis, is published on the user's channel
// netra:events:<user_id>; every other instance, subscribed to netra:events:*, hands it to its own
// sockets of that user, and ignores what it published itself. Publishing runs one event at a time
// in the order they came (so sockets elsewhere see them in seq order), from a bounded queue: while
// Redis cannot take them, the oldest are dropped with a warning — nothing is lost, a client reads
// the run's steps back from GET /api/runs/{id}.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "chat/event_sink.hpp"

namespace netra::net {
class WebSocketServer;
}
namespace netra::redis {
class RedisClient;
}

namespace netra::api {

class EventStreams;

class RunEventFanout : public std::enable_shared_from_this<RunEventFanout> {
 public:
  static constexpr const char* kChannelPrefix = "netra:events:";
  static constexpr size_t kMaxQueued = 10000;

  // `instance_id`: this process's, unique in the cluster (what it ignores of what it hears).
  explicit RunEventFanout(std::string instance_id);

  // Where this instance's sockets are (set when /ws is built; without it only Redis hears).
  void deliver_to(std::weak_ptr<net::WebSocketServer> sockets);
  // This instance's server-sent-event subscribers, who hear what the sockets hear (set while the
  // service is assembled, before anything is delivered).
  void deliver_to_streams(std::shared_ptr<EventStreams> streams);
  // Publishes through `redis` and subscribes to the other instances' events (before it opens).
  void share_through(std::weak_ptr<redis::RedisClient> redis);

  // One event of a run: to the local sockets now, to the other instances soon. Thread-safe.
  void deliver(const chat::AgentEvent& event);
  // Any message for the user's sockets (a job's progress), the same way. Thread-safe.
  void send(const std::string& user_id, std::string text);

  uint64_t published() const { return published_.load(); }
  uint64_t dropped() const { return dropped_.load(); }  // not published: Redis could not take them

 private:
  struct Outgoing {
    std::string channel;
    std::string message;
  };
  boost::asio::awaitable<void> drain();
  void heard(const std::string& channel, const std::string& payload);

  const std::string instance_id_;
  std::weak_ptr<net::WebSocketServer> sockets_;
  std::shared_ptr<EventStreams> streams_;
  std::weak_ptr<redis::RedisClient> redis_;
  bool shared_ = false;
  std::mutex mutex_;
  std::deque<Outgoing> queue_;
  bool draining_ = false;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace netra::api
