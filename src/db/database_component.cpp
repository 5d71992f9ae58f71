#include "db/database_component.hpp"

#include <fmt/format.h>

#include "db/detail/driver.hpp"
#include "db/migrations.hpp"
#include "telemetry/logging.hpp"

namespace netra::db {

core::ComponentSpec DatabaseComponent::make_spec() {
  return {kName, core::Criticality::critical, {}};
}

DatabaseComponent::DatabaseComponent(core::ComponentSpec spec, const DatabaseSettings& settings,
                                     core::OffloadPool& offload)
    : core::Component(std::move(spec)) {
  database_ = std::make_unique<Database>(
      make_driver(settings, offload), settings.pool,
      [](const std::string& owner, std::chrono::milliseconds held) {
        telemetry::logger(kName)->warn("a connection has been held for {} ms by {}", held.count(),
                                       owner);
      });
}

asio::awaitable<core::Status> DatabaseComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  log->info("connecting to {}", database_->describe());
  auto outcome = co_await apply_migrations(*database_, embedded_migrations(),
                                           core::Deadline::after(ctx.timeout));
  if (!outcome) co_return core::Status::error(outcome.error().message);
  if (outcome->applied.empty()) {
    log->info("schema up to date ({} migrations)", embedded_migrations().size());
  } else {
    for (const auto& name : outcome->applied) log->info("applied migration {}", name);
  }
  co_return core::Status::ok();
}

asio::awaitable<core::Status> DatabaseComponent::stop(core::LifecycleContext&) {
  database_->close_idle();
  co_return core::Status::ok();
}

}  // namespace netra::db
