#include "auth/oidc_sign_in.hpp"

#include "core/clock.hpp"
#include "core/id.hpp"
#include "telemetry/logging.hpp"

namespace netra::auth {
namespace {

using Kind = OidcError::Kind;

// Each call to the provider (discovery, token endpoint, JWKS) and to the database.
constexpr auto kStepTimeout = std::chrono::seconds(5);

core::Deadline step_deadline() {
  return core::Deadline::after(kStepTimeout);
}

OidcError unavailable(std::string message) {
  return {Kind::unavailable, std::move(message)};
}

}  // namespace

OidcSignIn::OidcSignIn(const std::vector<OidcProviderConfig>& providers, db::Database& db,
                       std::shared_ptr<AuthService> service, const std::string& ca_file,
                       net::CallObserver on_call)
    : logins_(db), service_(std::move(service)) {
  net::HttpClientOptions options;
  options.max_response_body_bytes = 1024 * 1024;  // discovery, JWKS and token answers are small
  options.max_idle_per_origin = 2;
  options.ca_file = ca_file;
  options.on_call = std::move(on_call);
  http_ = std::make_shared<net::HttpClient>(options);
  for (const auto& provider : providers) {
    clients_[provider.name] = std::make_shared<OidcClient>(provider, http_);
  }
}

std::vector<std::string> OidcSignIn::provider_names() const {
  std::vector<std::string> names;
  for (const auto& [name, client] : clients_) names.push_back(name);
  return names;
}

asio::awaitable<core::Result<OidcBegun, OidcError>> OidcSignIn::begin(std::string provider,
                                                                      std::string return_to) {
  auto it = clients_.find(provider);
  if (it == clients_.end()) co_return OidcError{Kind::unknown_provider, "no such provider"};
  auto& client = *it->second;
  auto discovery = co_await client.discovery(step_deadline());
  if (!discovery) co_return unavailable("the provider cannot be reached: " + discovery.error());
  PendingLogin login;
  login.state = core::make_id("st");
  login.nonce = core::make_id("nc");
  // 256 bits in RFC 7636's alphabet (make_id's base64url and '_'), 51 characters.
  login.code_verifier = core::make_id("pkce") + core::make_id("v");
  login.provider = provider;
  login.return_to = std::move(return_to);
  const int64_t now = core::unix_ms_now();
  login.expires_at = now + std::chrono::milliseconds(kLoginLifetime).count();
  OidcBegun begun{client.authorization_url(discovery.value(), login), login.state,
                  client.config().redirect_uri.starts_with("https://")};
  auto stored = co_await logins_.put(std::move(login), now, step_deadline());
  if (!stored) co_return unavailable("the sign-in could not be stored: " + stored.error().message);
  co_return begun;
}

asio::awaitable<core::Result<OidcFinished, OidcError>> OidcSignIn::finish(std::string provider,
                                                                          OidcCallback callback) {
  auto it = clients_.find(provider);
  if (it == clients_.end()) co_return OidcError{Kind::unknown_provider, "no such provider"};
  auto& client = *it->second;
  auto log = telemetry::logger("auth_oidc");
  if (callback.state.empty()) co_return OidcError{Kind::invalid_state, "the callback has no state"};
  // The cookie proves the browser that comes back is the one that left: without it, anyone could
  // send a victim's browser a callback that signs it into the sender's account.
  if (callback.browser_state != callback.state) {
    co_return OidcError{Kind::invalid_state,
                        "the state is not this browser's sign-in (its cookie is missing or "
                        "belongs to another sign-in)"};
  }
  auto taken = co_await logins_.take(callback.state, core::unix_ms_now(), step_deadline());
  if (!taken) co_return unavailable("the sign-in could not be read: " + taken.error().message);
  if (!taken->has_value() || (*taken)->provider != provider) {
    co_return OidcError{Kind::invalid_state,
                        "no sign-in waits for this state: it was used, it expired (after " +
                            std::to_string(kLoginLifetime.count()) +
                            " minutes), or it was never given"};
  }
  const PendingLogin login = **taken;
  if (!callback.error.empty()) {
    log->info("OpenID provider {} refused a sign-in: {}", provider, callback.error);
    std::string message = "the provider refused the sign-in: " + callback.error;
    if (!callback.error_description.empty()) {
      message += " (" + callback.error_description.substr(0, 200) + ")";
    }
    co_return OidcError{Kind::denied, std::move(message)};
  }
  if (callback.code.empty()) co_return OidcError{Kind::denied, "the callback has no code"};
  auto discovery = co_await client.discovery(step_deadline());
  if (!discovery) co_return unavailable("the provider cannot be reached: " + discovery.error());
  auto id_token = co_await client.redeem(discovery.value(), std::move(callback.code),
                                         login.code_verifier, step_deadline());
  if (!id_token) {
    const auto& why = id_token.error();
    log->warn("OpenID provider {}: {}", provider, why.message);
    co_return OidcError{why.code_refused ? Kind::code_refused : Kind::provider_error, why.message};
  }
  auto identity =
      co_await client.verify(discovery.value(), std::move(id_token.value()), login.nonce);
  if (!identity) {
    log->warn("OpenID provider {}: an ID token was refused: {}", provider, identity.error());
    co_return OidcError{Kind::invalid_id_token, "the ID token was refused: " + identity.error()};
  }
  auto signed_in = co_await service_->sign_in_with_identity(provider, std::move(identity.value()));
  if (!signed_in) {
    const auto& why = signed_in.error();
    if (why.code == AuthErrorCode::email_not_verified) {
      co_return OidcError{Kind::email_not_verified, why.message};
    }
    co_return unavailable(why.message);
  }
  log->info("user {} signed in with OpenID provider {}", signed_in->user.id, provider);
  co_return OidcFinished{std::move(signed_in.value()), login.return_to,
                         client.config().redirect_uri.starts_with("https://")};
}

}  // namespace netra::auth
