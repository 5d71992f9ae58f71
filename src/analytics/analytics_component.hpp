// AnalyticsComponent (`clickhouse`, medium, requires database): the workload analytics store.
// Without analytics.url the embedded store serves and the component is ready at once; with it,
// starting creates the ClickHouse schema, a ClickHouse that cannot be reached fails the start (the
// engine runs the service degraded, retries in the background and heals it), and meanwhile — and
// whenever the breaker is open later — the embedded store serves, as a buffer: what it took is
// moved into ClickHouse once it serves again (OutageReplay), by a job when the service hands the
// replay on (replay_through), else here. Retention is the service's clickhouse_retention job
// (apply_retention), hourly.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analytics/clickhouse_store.hpp"
#include "analytics/fallback_store.hpp"
#include "analytics/outage_replay.hpp"
#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "core/settings_schema.hpp"
#include "db/database.hpp"
#include "net/http_client.hpp"

namespace netra::net {
class HttpClient;
}

namespace netra::analytics {

struct AnalyticsSettings {
  ClickHouseOptions clickhouse;  // url empty: the embedded store only
  // Each ClickHouse call gets at most this long (analytics.timeout_ms).
  std::chrono::milliseconds call_timeout{5000};
  // How often the clickhouse_retention job is queued (once per period across the cluster).
  std::chrono::milliseconds retention_interval{std::chrono::hours(1)};
  // How often the breaker is probed while it is not closed, so it closes without traffic.
  std::chrono::milliseconds probe_interval{std::chrono::seconds(2)};
  // Moving the events buffered during an outage into ClickHouse: see OutageReplay.
  ReplayOptions replay;
  // After a replay that stopped on a failure without the breaker opening (which would make its
  // closing the next moment to try), the next attempt waits this long.
  std::chrono::milliseconds replay_retry_interval{std::chrono::seconds(15)};
};

// What is wrong with the settings (naming the analytics.* key), or nothing. Opens nothing.
std::optional<std::string> check_settings(const AnalyticsSettings& settings);

// The `analytics.*` keys of the store (not the ingest limits); its check is check_settings.
const core::SettingsSchema<AnalyticsSettings>& analytics_settings_schema();

class AnalyticsComponent final : public core::Component {
 public:
  static constexpr const char* kName = "clickhouse";
  static core::ComponentSpec make_spec();

  // Throws core::ConfigurationError for settings check_settings refuses. Publishes the
  // ClickHouse breaker in `health` (not critical: the embedded store stands in),
  // netra_workload_events_replayed_total (events moved from the buffer into ClickHouse) and
  // netra_workload_events_buffered (events waiting in it, counted at each start). `database`
  // and `offload` (where large batches are encoded for ClickHouse) must outlive the component.
  AnalyticsComponent(core::ComponentSpec spec, AnalyticsSettings settings, db::Database& database,
                     core::OffloadPool& offload, core::HealthRegistry& health,
                     net::CallObserver clickhouse_calls = nullptr);
  ~AnalyticsComponent() override;

  // The store routes and agents use, from construction on; see FallbackAnalyticsStore.
  std::shared_ptr<FallbackAnalyticsStore> store() const { return store_; }
  bool has_clickhouse() const { return clickhouse_ != nullptr; }
  const AnalyticsSettings& settings() const { return settings_; }

  // How a replay of the outage buffer that is due (after a start, when the breaker closes, after
  // writes the buffer took) is run: `runner` hands it on and answers true (the service queues an
  // outage_replay job, which one instance of the cluster runs), or answers false when it cannot
  // (background jobs are not running here, the queue failed): the component then drains here, as
  // it does without a runner. Before start().
  using ReplayRunner = std::function<asio::awaitable<bool>()>;
  void replay_through(ReplayRunner runner) { replay_runner_ = std::move(runner); }

  // --- What the clickhouse_retention and outage_replay jobs run -------------------------------

  // Why ClickHouse is not serving now (not configured, not started, its breaker open); nothing
  // while it is.
  std::optional<std::string> not_serving() const;
  // Drops the monthly partitions that ended more than analytics.ttl_days ago, and logs which;
  // returns them ("202401").
  asio::awaitable<AnalyticsResult<std::vector<std::string>>> apply_retention();
  // Drains the outage buffer into ClickHouse (OutageReplay::drain); null without ClickHouse.
  std::shared_ptr<OutageReplay> replay() const { return replay_; }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct Background;  // the probe and replay loop's shared state (defined in the .cpp)

 private:
  void stop_background();
  // Sets the outage buffer's gauge from a count of its rows (best effort, a short deadline).
  asio::awaitable<void> count_buffer(core::LifecycleContext& ctx);

  AnalyticsSettings settings_;
  std::shared_ptr<net::HttpClient> client_;
  std::shared_ptr<ClickHouseStore> clickhouse_;
  std::shared_ptr<FallbackAnalyticsStore> store_;
  std::shared_ptr<OutageReplay> replay_;  // with ClickHouse only
  ReplayRunner replay_runner_;
  std::shared_ptr<Background> background_;
};

}  // namespace netra::analytics
