#include "auth/auth_component.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/key_store.hpp"
#include "core/offload_pool.hpp"
#include "core/task_failures.hpp"
#include "db/database_component.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {

core::ComponentSpec AuthComponent::make_spec() {
  return {kName, core::Criticality::high, {core::requires_component("database")}};
}

AuthComponent::AuthComponent(core::ComponentSpec spec, AuthConfig config, AuthState& state,
                             db::DatabaseComponent& database, net::CallObserver oidc_calls)
    : core::Component(std::move(spec)),
      config_(std::move(config)),
      state_(state),
      database_(database),
      oidc_calls_(std::move(oidc_calls)),
      hashing_(std::make_unique<core::OffloadPool>(config_.hash_threads, "password hashing",
                                                   config_.hash_queue)) {}

AuthComponent::~AuthComponent() = default;

namespace {

asio::awaitable<void> prepare_hasher(asio::steady_timer& settle,
                                     const auth::PasswordHasher& hasher) {
  // Cancelled by stop(), or by the timer's destruction with the component: the hasher may be
  // gone then, and is not touched.
  auto [ec] = co_await settle.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  const bool made = co_await hasher.prepare();  // not in the condition: GCC 12 mis-compiles it
  if (!made) {
    telemetry::logger(AuthComponent::kName)
        ->error("argon2id: not enough memory for the configured limits; logins will fail");
  }
}

}  // namespace

void AuthComponent::prepare(core::OffloadPool& offload, const asio::any_io_executor& executor) {
  auto load = std::make_shared<std::packaged_task<auth::KeyRing()>>(
      [options = config_.keys] { return auth::load_key_ring(options); });
  early_keys_ = load->get_future().share();
  asio::co_spawn(executor, offload.run([load] { (*load)(); }),
                 core::detached_reporting("loading the signing keys early"));
}

// The ring prepare() began loading, else loaded now. Waiting for it blocks: an offload thread
// waits, never the event loop (the load was queued first, so it never waits behind its waiter).
asio::awaitable<auth::KeyRing> AuthComponent::take_key_ring(core::LifecycleContext& ctx) {
  if (early_keys_.valid()) {
    auto wait = [early = std::exchange(early_keys_, {}), timeout = ctx.timeout] {
      if (early.wait_for(timeout) != std::future_status::ready) {
        throw std::runtime_error("the signing keys were not loaded within the start timeout");
      }
      return early.get();  // the ring, or what loading it threw
    };
    try {
      co_return co_await ctx.offload->run(std::move(wait));
    } catch (const std::future_error&) {
      // The early load never ran (the offload pool refused it): load the ring now.
    }
  }
  // Key generation and file I/O block: the offload pool does them. The call is named before the
  // co_await: GCC 12 frees a capturing lambda made inside one wrongly (ASan: a bad free).
  auto load = [options = config_.keys] { return auth::load_key_ring(options); };
  co_return co_await ctx.offload->run(std::move(load));
}

asio::awaitable<core::Status> AuthComponent::start(core::LifecycleContext& ctx) {
  // Making the hasher blocks too: the offload pool does it.
  auto make_hasher = [&hashing = *hashing_] {
    return std::make_unique<auth::PasswordHasher>(hashing);
  };
  auth::KeyRing keys;
  try {
    keys = co_await take_key_ring(ctx);
    if (!hasher_) hasher_ = co_await ctx.offload->run(std::move(make_hasher));
  } catch (const std::exception& e) {
    co_return core::Status::error(e.what());
  }
  // The hash unknown accounts are verified against, made in the background a second after start
  // (prepare_hasher): nothing waits for it (a login that needs it first makes it), and its 64 MiB
  // argon2id pass does not compete with the rest of the start for the cores.
  auto executor = co_await asio::this_coro::executor;
  settle_ = std::make_unique<asio::steady_timer>(executor, std::chrono::seconds(1));
  asio::co_spawn(executor, prepare_hasher(*settle_, *hasher_),
                 core::detached_reporting("the password hasher's calibration"));
  const auto signing = keys.signing;
  const size_t accepted = keys.verifying.size();
  if (keys.generated_in) {
    // A first start: said apart, since it is the one start that waits for a key to be made.
    telemetry::logger(kName)->info("made a new {} signing key {} in {:.1f} ms (none in {})",
                                   auth::jwt_alg(signing->algorithm()), signing->kid(),
                                   keys.generated_in->count() / 1000.0, config_.keys.folder);
  }
  auto service =
      std::make_shared<auth::AuthService>(config_.settings, std::move(keys), database_.database(),
                                          *hasher_, &state_.revoked_sessions());
  if (!config_.oidc.empty()) {
    // The providers are not contacted now: discovery happens on the first sign-in.
    state_.set_oidc(std::make_shared<auth::OidcSignIn>(config_.oidc, database_.database(), service,
                                                       config_.ca_file, oidc_calls_));
    std::string names;
    for (const auto& p : config_.oidc) names += (names.empty() ? "" : ", ") + p.name;
    telemetry::logger(kName)->info("sign-in with OpenID providers: {}", names);
  }
  state_.set(std::move(service));
  telemetry::logger(kName)->info(
      "signing tokens with {} key {} from {}; {} more key(s) accepted",
      auth::jwt_alg(signing->algorithm()), signing->kid(),
      signing->is_symmetric() ? "auth.shared_secret" : config_.keys.folder, accepted);
  co_return core::Status::ok();
}

asio::awaitable<core::Status> AuthComponent::stop(core::LifecycleContext&) {
  if (settle_) settle_->cancel();
  state_.set_oidc(nullptr);
  state_.set(nullptr);
  co_return core::Status::ok();
}

}  // namespace netra::auth
