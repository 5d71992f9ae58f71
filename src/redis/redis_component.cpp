#include "redis/redis_component.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "core/configuration_error.hpp"
#include "core/task_failures.hpp"
#include "telemetry/logging.hpp"

namespace netra::redis {

using namespace std::chrono;

// Runs while the component is started with Redis; ended by `stopping` and, at once, by the
// cancellation signal (emitted on `executor`, where the loop runs).
struct RedisComponent::Probe {
  std::atomic<bool> stopping{false};
  asio::any_io_executor executor;
  asio::cancellation_signal signal;
};

namespace {

// While the breaker is not closed, a PING through it (refused at once while it is open, let
// through as the half-open probe after) closes it when Redis is back, without waiting for traffic.
asio::awaitable<void> probe(std::shared_ptr<RedisComponent::Probe> state,
                            std::shared_ptr<RedisClient> client, milliseconds interval) {
  auto log = telemetry::logger(RedisComponent::kName);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool was_open = false;
  try {
    while (!state->stopping) {
      if (client->breaker().state() != core::BreakerState::closed) {
        std::vector<std::string> ping{"PING"};
        (void)co_await client->command(std::move(ping));
      }
      const bool open = client->breaker().state() != core::BreakerState::closed;
      if (open && !was_open) {
        log->error(
            "circuit breaker open: {} is failing; tickets, rate limits and events stay "
            "on this instance until it answers",
            client->endpoint().describe());
      } else if (!open && was_open) {
        log->info("circuit breaker closed: {} answers again", client->endpoint().describe());
      }
      was_open = open;
      timer.expires_after(interval);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
  } catch (const std::exception& e) {
    if (!state->stopping) log->error("probe loop ended: {}", e.what());
  }
}

}  // namespace

core::ComponentSpec RedisComponent::make_spec() {
  return {kName, core::Criticality::high, {}};
}

RedisComponent::RedisComponent(core::ComponentSpec spec, const RedisSettings& settings,
                               std::vector<asio::any_io_executor> executors,
                               core::HealthRegistry& health,
                               decltype(RedisClientOptions::on_command) on_command)
    : core::Component(std::move(spec)) {
  auto options = client_options(settings);
  if (!options) throw core::ConfigurationError({options.error()});
  options.value().on_command = std::move(on_command);
  if (!settings.url.empty()) {
    if (executors.empty()) throw std::logic_error("redis: no event loop to connect on");
    client_ = std::make_shared<RedisClient>(std::move(options.value()), std::move(executors));
    health.add_breaker(client_->breaker(), /*critical=*/false);
  }
  health.add_family({"netra_redis_connections",
                     "Connections to Redis that are open now, by role (0 without redis.url)",
                     "role", false, [client = client_] {
                       const double commands =
                           client ? static_cast<double>(client->open_connections()) : 0;
                       const double subscriber = client && client->subscriber_open() ? 1 : 0;
                       return std::vector<core::HealthRegistry::Series>{{"command", commands},
                                                                        {"subscriber", subscriber}};
                     }});
}

RedisComponent::~RedisComponent() {
  stop_probe();
}

void RedisComponent::stop_probe() {
  if (!probe_) return;
  probe_->stopping = true;
  asio::post(probe_->executor,
             [state = probe_] { state->signal.emit(asio::cancellation_type::terminal); });
  probe_.reset();
}

asio::awaitable<core::Status> RedisComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  if (!client_) {
    log->info(
        "redis.url is empty: one instance; tickets, rate limits, run leases and events stay "
        "in this process");
    co_return core::Status::ok();
  }
  stop_probe();
  log->info("connecting to {} ({} command connections and a subscriber)",
            client_->endpoint().describe(), client_->connection_count());
  // A little inside the engine's timeout, so a slow server fails with Redis's own words.
  const auto budget = std::max(milliseconds(1), ctx.timeout - ctx.timeout / 10);
  if (auto error = co_await client_->open(core::Deadline::after(budget))) {
    co_return core::Status::error(client_->endpoint().describe() + ": " + error->message);
  }
  probe_ = std::make_shared<Probe>();
  probe_->executor = co_await asio::this_coro::executor;
  asio::co_spawn(probe_->executor, probe(probe_, client_, probe_interval_),
                 asio::bind_cancellation_slot(probe_->signal.slot(),
                                              core::detached_reporting("the Redis probe")));
  log->info("connected to {}", client_->endpoint().describe());
  co_return core::Status::ok();
}

asio::awaitable<core::Status> RedisComponent::stop(core::LifecycleContext&) {
  stop_probe();
  if (client_) co_await client_->close();
  co_return core::Status::ok();
}

}  // namespace netra::redis
