#include "api/run_event_fanout.hpp"

#include <boost/asio/co_spawn.hpp>
#include <nlohmann/json.hpp>

#include "api/chat_json.hpp"
#include "api/event_streams.hpp"
#include "core/task_failures.hpp"
#include "net/websocket_server.hpp"
#include "redis/redis_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::api {

namespace asio = boost::asio;

RunEventFanout::RunEventFanout(std::string instance_id) : instance_id_(std::move(instance_id)) {}

void RunEventFanout::deliver_to(std::weak_ptr<net::WebSocketServer> sockets) {
  sockets_ = std::move(sockets);
}

void RunEventFanout::deliver_to_streams(std::shared_ptr<EventStreams> streams) {
  streams_ = std::move(streams);
}

void RunEventFanout::share_through(std::weak_ptr<redis::RedisClient> redis) {
  redis_ = std::move(redis);
  auto client = redis_.lock();
  if (!client) return;
  shared_ = true;
  std::weak_ptr<RunEventFanout> weak = weak_from_this();
  client->add_patterns({std::string(kChannelPrefix) + "*"},
                       [weak](const std::string& channel, std::string payload) {
                         if (auto self = weak.lock()) self->heard(channel, payload);
                       });
}

void RunEventFanout::deliver(const chat::AgentEvent& event) {
  send(event.user_id, agent_event_json(event).dump());
}

void RunEventFanout::send(const std::string& user_id, std::string text) {
  if (auto sockets = sockets_.lock()) sockets->send_to_user(user_id, text);
  if (streams_) streams_->deliver(user_id, text);
  if (!shared_) return;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(
        {kChannelPrefix + user_id, nlohmann::json{{"from", instance_id_}, {"event", text}}.dump()});
    start = !draining_;
    draining_ = true;
  }
  if (!start) return;
  if (auto client = redis_.lock()) {
    asio::co_spawn(client->executor(), drain(), core::detached_reporting("the run event fan-out"));
  } else {
    std::lock_guard lock(mutex_);
    draining_ = false;
  }
}

asio::awaitable<void> RunEventFanout::drain() {
  auto self = shared_from_this();
  for (;;) {
    Outgoing next;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        draining_ = false;
        co_return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    auto client = redis_.lock();
    if (!client) continue;  // the service stops: what is left is dropped with the queue
    std::vector<std::string> publish{"PUBLISH", std::move(next.channel), std::move(next.message)};
    auto sent = co_await client->command(std::move(publish));
    if (sent) {
      ++published_;
    } else if (++dropped_ % 100 == 1) {  // the first of an outage, then every hundredth
      telemetry::logger("api")->warn(
          "{} run event(s) so far reached only this instance's sockets: {} (the others read "
          "them back from the run's steps)",
          dropped_.load(), sent.error().message);
    }
  }
}

void RunEventFanout::heard(const std::string& channel, const std::string& payload) {
  auto parsed = nlohmann::json::parse(payload, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("from") || !parsed.contains("event")) return;
  if (parsed["from"] == instance_id_) return;  // delivered here when it was published
  if (!parsed["event"].is_string()) return;
  const auto user_id = channel.substr(std::string_view(kChannelPrefix).size());
  const auto& text = parsed["event"].get_ref<const std::string&>();
  if (auto sockets = sockets_.lock()) sockets->send_to_user(user_id, text);
  if (streams_) streams_->deliver(user_id, text);
}

}  // namespace netra::api
