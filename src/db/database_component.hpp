// DatabaseComponent (`database`, critical): owns the service's Database. Starting it connects
// (through the pool, within the component's start timeout) and applies pending migrations; while
// it runs, a maintenance loop reports leaked connections and probes the server while the
// circuit breaker is open, so the breaker closes by itself when the server is back.
#pragma once

#include <memory>

#include "core/component.hpp"
#include "core/health_registry.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"

namespace netra::telemetry {
class Metrics;
}

namespace netra::db {

class DatabaseComponent final : public core::Component {
 public:
  static constexpr const char* kName = "database";
  static core::ComponentSpec make_spec();

  // Throws core::ConfigurationError for a URL no driver accepts.
  // Publishes the breaker and the pool in `health`.
  DatabaseComponent(core::ComponentSpec spec, const DatabaseSettings& settings,
                    core::OffloadPool& offload, core::HealthRegistry& health,
                    telemetry::Metrics* metrics = nullptr);
  ~DatabaseComponent() override;

  Database& database() { return *database_; }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

  struct Maintenance;  // the loop's shared state (defined in the .cpp)

 private:
  std::unique_ptr<Database> database_;
  size_t pool_min_ = 0;
  std::shared_ptr<Maintenance> maintenance_;
};

}  // namespace netra::db
