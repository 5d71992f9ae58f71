// DatabaseComponent (`database`, critical): owns the service's Database. Starting it connects
// (through the pool, within the component's start timeout) and applies pending migrations.
#pragma once

#include <memory>

#include "core/component.hpp"
#include "db/database.hpp"
#include "db/database_settings.hpp"

namespace netra::db {

class DatabaseComponent final : public core::Component {
 public:
  static constexpr const char* kName = "database";
  static core::ComponentSpec make_spec();

  // Throws core::ConfigurationError for a URL no driver accepts.
  DatabaseComponent(core::ComponentSpec spec, const DatabaseSettings& settings,
                    core::OffloadPool& offload);

  Database& database() { return *database_; }

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  std::unique_ptr<Database> database_;
};

}  // namespace netra::db
