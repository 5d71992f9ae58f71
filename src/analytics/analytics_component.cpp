#include "analytics/analytics_component.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "analytics/embedded_store.hpp"
#include "core/clock.hpp"
#include "core/configuration_error.hpp"
#include "core/task_failures.hpp"
#include "net/http_client.hpp"
#include "telemetry/logging.hpp"

namespace netra::analytics {

// Runs while the component is started with ClickHouse; ended by `stopping` and, at once, by the
// cancellation signal (emitted on `executor`, where the loop runs).
struct AnalyticsComponent::Background {
  std::atomic<bool> stopping{false};
  asio::any_io_executor executor;
  asio::cancellation_signal signal;
};

namespace {

using namespace std::chrono;

// What the maintenance loop works with; shared with the component, which may go first.
struct Maintained {
  std::shared_ptr<ClickHouseStore> clickhouse;
  std::shared_ptr<FallbackAnalyticsStore> store;
  std::shared_ptr<OutageReplay> replay;
  AnalyticsComponent::ReplayRunner runner;  // empty: the loop drains itself
};

// Runs from a successful start until stop: probes the breaker, and sees that the outage buffer
// is replayed — at once after the start (whatever an outage before it, or before a restart, left
// in the buffer), at once when the breaker closes after an outage, and within a probe interval of
// any write the embedded store took meanwhile (one failed call buffers a write without opening the
// breaker). A replay that is due is handed to the runner (an outage_replay job, which drains once
// across the cluster, with its own retries) or, when it cannot take it, drained here. Until it has
// run, ClickHouse's answers miss the buffered events: a window of a probe interval plus the time
// the replay takes (about half a second per 10,000 events in the test build), accepted rather
// than merging both stores on every read.
asio::awaitable<void> maintain(std::shared_ptr<AnalyticsComponent::Background> background,
                               Maintained parts, AnalyticsSettings settings) {
  auto log = telemetry::logger(AnalyticsComponent::kName);
  auto& store = parts.clickhouse;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool was_open = false;
  bool replay_due = true;
  auto next_replay = steady_clock::now();
  try {
    while (!background->stopping) {
      // While the breaker is not closed, a probe through it (refused at once while it is open)
      // closes it when ClickHouse is back, without waiting for traffic to do it.
      if (store->breaker().state() != core::BreakerState::closed) {
        const auto deadline = core::Deadline::after(settings.call_timeout);
        (void)co_await store->ping(deadline);
      }
      const bool open = store->breaker().state() != core::BreakerState::closed;
      if (open && !was_open) {
        log->error("circuit breaker open: ClickHouse is failing; the embedded store serves");
      } else if (!open && was_open) {
        log->info("circuit breaker closed: ClickHouse answers again");
        replay_due = true;
        next_replay = steady_clock::now();
      }
      was_open = open;
      if (const auto written = parts.store->take_buffered(); written > 0) {
        parts.replay->note_buffered(written);
        replay_due = true;
      }
      if (replay_due && !open && steady_clock::now() >= next_replay) {
        if (parts.runner && co_await parts.runner()) {
          replay_due = false;  // a job drains it, here or on another instance
        } else {
          const auto outcome = co_await parts.replay->drain();
          if (outcome.complete) {
            replay_due = false;
          } else if (outcome.error) {
            next_replay = steady_clock::now() + settings.replay_retry_interval;
          }  // already running (a job, or a previous start's loop being cancelled): next tick
        }
      }
      if (background->stopping) break;
      timer.expires_after(settings.probe_interval);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
  } catch (const std::exception& e) {
    // Cancellation by stop() lands here from inside a call; anything else is a bug to see.
    if (!background->stopping) log->error("maintenance loop ended: {}", e.what());
  }
}

}  // namespace

std::optional<std::string> check_settings(const AnalyticsSettings& settings) {
  if (settings.call_timeout.count() <= 0) return "analytics.timeout_ms: must be at least 1";
  if (settings.clickhouse.url.empty()) return std::nullopt;
  try {
    // The store's own checks (URL, database name, ttl); it opens nothing until it is called.
    ClickHouseStore probe(settings.clickhouse, nullptr);
  } catch (const std::invalid_argument& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

core::ComponentSpec AnalyticsComponent::make_spec() {
  return {kName, core::Criticality::medium, {core::requires_component("database")}};
}

AnalyticsComponent::AnalyticsComponent(core::ComponentSpec spec, AnalyticsSettings settings,
                                       db::Database& database, core::OffloadPool& offload,
                                       core::HealthRegistry& health,
                                       net::CallObserver clickhouse_calls)
    : core::Component(std::move(spec)), settings_(std::move(settings)) {
  if (auto bad = check_settings(settings_)) throw core::ConfigurationError({*bad});
  if (!settings_.clickhouse.url.empty()) {
    net::HttpClientOptions options;
    // ClickHouse closes idle HTTP connections after 3 s (keep_alive_timeout); stay below that.
    options.idle_timeout = milliseconds(2500);
    options.on_call = std::move(clickhouse_calls);
    client_ = std::make_shared<net::HttpClient>(options);
    clickhouse_ = std::make_shared<ClickHouseStore>(settings_.clickhouse, client_, &offload);
    health.add_breaker(clickhouse_->breaker(), /*critical=*/false);
  }
  auto embedded = std::make_shared<EmbeddedAnalyticsStore>(database);
  if (clickhouse_) {
    replay_ = std::make_shared<OutageReplay>(embedded, clickhouse_, settings_.replay);
  }
  store_ = std::make_shared<FallbackAnalyticsStore>(clickhouse_, embedded, settings_.call_timeout);
  health.add_family({"netra_workload_events_replayed_total",
                     "Workload events buffered in the embedded store during a ClickHouse outage "
                     "and moved into ClickHouse since",
                     "", true, [replay = replay_] {
                       const double moved = replay ? static_cast<double>(replay->moved_total()) : 0;
                       return std::vector<core::HealthRegistry::Series>{{"", moved}};
                     }});
  // Written by the fallback but not yet handed to the replay count too, so the gauge grows with
  // an outage even while no maintenance loop runs (a start that failed).
  health.add_family(
      {"netra_workload_events_buffered",
       "Workload events held in the embedded store during a ClickHouse outage, "
       "waiting to be moved into ClickHouse (0 without analytics.url)",
       "", false, [replay = replay_, store = store_] {
         const double held =
             replay ? static_cast<double>(replay->buffered() + store->buffered_since_take()) : 0;
         return std::vector<core::HealthRegistry::Series>{{"", held}};
       }});
}

AnalyticsComponent::~AnalyticsComponent() {
  stop_background();
}

void AnalyticsComponent::stop_background() {
  if (!background_) return;
  background_->stopping = true;
  asio::post(background_->executor, [background = background_] {
    background->signal.emit(asio::cancellation_type::terminal);
  });
  background_.reset();
}

asio::awaitable<core::Status> AnalyticsComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  if (!clickhouse_) {
    log->info("analytics.url is empty: workload events are kept in the embedded store");
    co_return core::Status::ok();
  }
  stop_background();  // a previous attempt's
  store_->set_clickhouse_live(false);
  co_await count_buffer(ctx);
  log->info("connecting to {}", clickhouse_->describe());
  // A little inside the engine's timeout, so a slow server fails with ClickHouse's own words.
  const auto deadline = core::Deadline::after(ctx.timeout * 9 / 10);
  auto schema = co_await clickhouse_->ensure_schema(deadline, /*through_breaker=*/false);
  if (!schema) {
    co_return core::Status::error(schema.error().message +
                                  "; the embedded store serves workload events meanwhile");
  }
  store_->set_clickhouse_live(true);
  background_ = std::make_shared<Background>();
  background_->executor = co_await asio::this_coro::executor;
  Maintained parts{clickhouse_, store_, replay_, replay_runner_};
  asio::co_spawn(
      background_->executor, maintain(background_, std::move(parts), settings_),
      asio::bind_cancellation_slot(background_->signal.slot(),
                                   core::detached_reporting("the analytics maintenance")));
  log->info("workload events are kept in {} (retention {} days)", clickhouse_->describe(),
            settings_.clickhouse.ttl_days);
  co_return core::Status::ok();
}

std::optional<std::string> AnalyticsComponent::not_serving() const {
  if (!clickhouse_) return "analytics.url is empty: there is no ClickHouse";
  if (store_->backend() == "clickhouse") return std::nullopt;
  if (clickhouse_->breaker().state() == core::BreakerState::open) {
    return "ClickHouse is failing (its circuit breaker is open)";
  }
  return "ClickHouse is not started (the clickhouse component is not ready)";
}

asio::awaitable<AnalyticsResult<std::vector<std::string>>> AnalyticsComponent::apply_retention() {
  // Dropping a partition is a metadata change, but a busy server may take a while to list parts.
  constexpr milliseconds kRetentionBudget{30000};
  if (!clickhouse_) co_return AnalyticsError{AnalyticsErrorCode::unavailable, "no ClickHouse", {}};
  auto dropped = co_await clickhouse_->drop_expired_partitions(
      core::unix_ms_now(), core::Deadline::after(kRetentionBudget));
  if (dropped && !dropped->empty()) {
    telemetry::logger(kName)->info(
        "retention: dropped the monthly partitions {} (events older than {} days)",
        fmt::join(dropped.value(), ", "), settings_.clickhouse.ttl_days);
  }
  co_return dropped;
}

asio::awaitable<void> AnalyticsComponent::count_buffer(core::LifecycleContext& ctx) {
  // Taken before the count, which then includes those writes: a write in between is counted
  // twice until the next count or the drain that empties the buffer, never missed.
  (void)store_->take_buffered();
  const auto budget = std::min<std::chrono::milliseconds>(ctx.timeout / 10, seconds(1));
  auto counted = co_await replay_->count_buffered(core::Deadline::after(budget));
  if (!counted) {
    telemetry::logger(kName)->warn("could not count the events buffered during an outage: {}",
                                   counted.error().message);
  } else if (counted.value() > 0) {
    telemetry::logger(kName)->info(
        "{} workload events buffered during an outage wait to be moved into ClickHouse",
        counted.value());
  }
}

asio::awaitable<core::Status> AnalyticsComponent::stop(core::LifecycleContext&) {
  store_->set_clickhouse_live(false);
  stop_background();
  if (client_) client_->close_idle();
  co_return core::Status::ok();
}

}  // namespace netra::analytics
