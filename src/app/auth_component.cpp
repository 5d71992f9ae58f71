#include "app/auth_component.hpp"

#include "auth/key_store.hpp"
#include "core/offload_pool.hpp"
#include "db/database_component.hpp"
#include "telemetry/logging.hpp"

namespace netra::app {

core::ComponentSpec AuthComponent::make_spec() {
  return {kName, core::Criticality::high, {core::requires_component("database")}};
}

AuthComponent::AuthComponent(core::ComponentSpec spec, AuthConfig config, AuthState& state,
                             db::DatabaseComponent& database, core::OffloadPool& offload)
    : core::Component(std::move(spec)),
      config_(std::move(config)),
      state_(state),
      database_(database),
      offload_(offload) {}

asio::awaitable<core::Status> AuthComponent::start(core::LifecycleContext& ctx) {
  // Key generation, file I/O and the hasher's calibration hash block: the offload pool does them.
  auto load = [dir = config_.key_dir, algorithm = config_.algorithm] {
    return std::make_shared<auth::SigningKey>(auth::load_or_create_signing_key(dir, algorithm));
  };
  auto make_hasher = [&offload = offload_] {
    return std::make_unique<auth::PasswordHasher>(offload);
  };
  std::shared_ptr<auth::SigningKey> key;
  try {
    key = co_await ctx.offload->run(std::move(load));
    if (!hasher_) hasher_ = co_await ctx.offload->run(std::move(make_hasher));
  } catch (const std::exception& e) {
    co_return core::Status::error(e.what());
  }
  state_.set(
      std::make_shared<auth::AuthService>(config_.settings, key, database_.database(), *hasher_));
  telemetry::logger(kName)->info("signing tokens with {} key {} from {}",
                                 auth::jwt_alg(key->algorithm()), key->kid(), config_.key_dir);
  co_return core::Status::ok();
}

asio::awaitable<core::Status> AuthComponent::stop(core::LifecycleContext&) {
  state_.set(nullptr);
  co_return core::Status::ok();
}

}  // namespace netra::app
