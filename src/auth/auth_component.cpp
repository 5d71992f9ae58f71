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

void log_signing_keys(const auth::KeyRing& keys, const std::string& folder) {
  const auto& signing = keys.signing;
  if (keys.generated_in) {
    // A first start: said apart, since it is the one start that makes a key.
    telemetry::logger(AuthComponent::kName)
        ->info("made a new {} signing key {} in {:.1f} ms (none in {})",
               auth::jwt_alg(signing->algorithm()), signing->kid(),
               keys.generated_in->count() / 1000.0, folder);
  }
  telemetry::logger(AuthComponent::kName)
      ->info("signing tokens with {} key {} from {}; {} more key(s) accepted",
             auth::jwt_alg(signing->algorithm()), signing->kid(),
             signing->is_symmetric() ? "auth.shared_secret" : folder, keys.verifying.size());
}

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

// Waits (on `offload`) for the ring being made, then hands it to `service`; or tells it why there
// is none. The service outlives this wait only through the shared_ptr: stop() may come first.
asio::awaitable<void> install_when_made(std::shared_ptr<auth::AuthService> service,
                                        std::shared_future<auth::KeyRing> making,
                                        core::OffloadPool& offload,
                                        std::chrono::milliseconds timeout, std::string folder) {
  auto wait = [making = std::move(making), timeout] {
    if (making.wait_for(timeout) != std::future_status::ready) {
      throw std::runtime_error("the signing key was not made within the start timeout");
    }
    return making.get();  // the ring, or what making it threw
  };
  std::string problem;
  try {
    auth::KeyRing ring = co_await offload.run(std::move(wait));
    log_signing_keys(ring, folder);
    service->install_keys(std::move(ring));
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (!problem.empty()) {
    telemetry::logger(AuthComponent::kName)
        ->error("no signing key ({}): sign-ins answer 503 until a restart makes one", problem);
    service->keys_failed(std::move(problem));
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

// Whether the ring prepare() began loading is making the signing key (a first start) rather than
// reading it: then start() does not wait for it.
asio::awaitable<bool> AuthComponent::key_being_made(core::LifecycleContext& ctx) {
  if (!early_keys_.valid()) co_return false;
  if (early_keys_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) co_return false;
  auto to_be_made = [options = config_.keys] { return auth::signing_key_to_be_made(options); };
  co_return co_await ctx.offload->run(std::move(to_be_made));
}

asio::awaitable<core::Status> AuthComponent::start(core::LifecycleContext& ctx) {
  // Making the hasher blocks too: the offload pool does it.
  auto make_hasher = [&hashing = *hashing_] {
    return std::make_unique<auth::PasswordHasher>(hashing);
  };
  auth::KeyRing keys;  // stays empty while the signing key is being made
  bool being_made = false;
  try {
    being_made = co_await key_being_made(ctx);
    if (!being_made) keys = co_await take_key_ring(ctx);
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
  if (!being_made) log_signing_keys(keys, config_.keys.folder);
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
  if (being_made) {
    // A first start: the key (40-250 ms of RSA prime search) is made off the start-up path. Until
    // it is, sign-ins and the key set wait for it, and no token verifies: none signed with it can
    // exist yet (the ring's other keys, retired ones and a shared secret, come in with it).
    telemetry::logger(kName)->info(
        "no signing key in {}: making one; sign-ins wait for it, start-up does not",
        config_.keys.folder);
    asio::co_spawn(executor,
                   install_when_made(service, std::exchange(early_keys_, {}), *ctx.offload,
                                     ctx.timeout, config_.keys.folder),
                   core::detached_reporting("installing the signing key being made"));
  }
  state_.set(std::move(service));
  co_return core::Status::ok();
}

asio::awaitable<core::Status> AuthComponent::stop(core::LifecycleContext&) {
  if (settle_) settle_->cancel();
  state_.set_oidc(nullptr);
  state_.set(nullptr);
  co_return core::Status::ok();
}

}  // namespace netra::auth
