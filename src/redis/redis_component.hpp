// RedisComponent (`redis`, high, requires nothing): the service's RedisClient when redis.url is
// set. Without it the component is ready at once and the in-process equivalents serve one
// instance. Starting connects every connection (a wrong password fails the start with
// "authentication failed": the engine runs the service degraded and retries in the background);
// while it runs, a probe through the breaker closes it again when Redis is back without waiting
// for traffic, and connections that dropped reconnect by themselves.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <vector>

#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"

namespace netra::redis {

class RedisComponent final : public core::Component {
 public:
  static constexpr const char* kName = "redis";
  static core::ComponentSpec make_spec();

  // Throws core::ConfigurationError for a URL client_options refuses. `executors`: one command
  // connection each (the event loops). Publishes the breaker (not critical: the in-process
  // equivalents stand in) and netra_redis_connections in `health`.
  RedisComponent(core::ComponentSpec spec, const RedisSettings& settings,
                 std::vector<asio::any_io_executor> executors, core::HealthRegistry& health,
                 decltype(RedisClientOptions::on_command) on_command = nullptr);
  ~RedisComponent() override;

  // Null without redis.url. Built with the component, open once it started.
  std::shared_ptr<RedisClient> client() const { return client_; }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct Probe;  // the probe loop's shared state (defined in the .cpp)

 private:
  void stop_probe();

  std::shared_ptr<RedisClient> client_;
  std::chrono::milliseconds probe_interval_{1000};
  std::shared_ptr<Probe> probe_;
};

}  // namespace netra::redis
