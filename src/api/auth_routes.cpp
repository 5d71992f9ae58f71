#include "api/auth_routes.hpp"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/error_response.hpp"
#include "api/oidc_routes.hpp"
#include "net/client_address.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "redis/shared_rate_limiter.hpp"

namespace netra::api {
namespace {

using net::HttpRequest;
using net::HttpResponse;

// A JSON object body with exactly the string fields named (all required), or the 400 to send.
core::Result<std::vector<std::string>, HttpResponse> string_fields(
    const HttpRequest& request, std::initializer_list<std::string_view> names) {
  auto body = net::json_object_body(request);
  if (!body) return body.error();
  nlohmann::json fields = nlohmann::json::object();
  std::vector<std::string> values;
  for (const auto name : names) {
    auto it = body->find(name);
    if (it == body->end() || !it->is_string()) {
      fields[std::string(name)] = "required, a string";
    } else {
      values.push_back(it->get<std::string>());
    }
  }
  net::reject_unknown_fields(*body, names, fields);
  if (!fields.empty()) return net::invalid_fields(fields);
  return values;
}

using Limiter = redis::SharedRateLimiter;

HttpResponse limited(const std::string& what, const Limiter::Decision& decision) {
  return net::json_error(429, "rate_limited", what + "; try again later")
      .with_header("Retry-After", std::to_string(decision.retry_after.count()));
}

// 429 when the client's address is over `limiter`'s limit (the attempt is counted otherwise).
asio::awaitable<std::optional<HttpResponse>> over_limit(Limiter& limiter, const HttpRequest& r,
                                                        std::string what) {
  const auto decision = co_await limiter.hit(net::rate_limit_key(r.remote_address));
  if (decision.allowed) co_return std::nullopt;
  co_return limited(what, decision);
}

nlohmann::json user_json(const auth::User& u) {
  return {{"id", u.id}, {"email", u.email}};
}

}  // namespace

HttpResponse token_pair_response(const auth::TokenPair& p) {
  return net::json_response(nlohmann::json{
      {"access_token", p.access_token},
      {"refresh_token", p.refresh_token},
      {"token_type", "Bearer"},
      {"expires_in", p.expires_in},
      {"user",
       user_json(p.user)}}.dump());
}

namespace {

const net::RouteOptions kWhileAuthServiceReady{.needs_component = "auth_service"};

// What a request gets while the AuthService is not running.
HttpResponse not_running(const HttpRequest& r) {
  return error_response({auth::AuthErrorCode::unavailable, "not started", ""}, r.request_id);
}

// The answer to a call that yields a token pair: the pair, or its error's mapping.
HttpResponse pair_or_error(const auth::AuthResult<auth::TokenPair>& pair, const HttpRequest& r) {
  if (!pair) return error_response(pair.error(), r.request_id);
  return token_pair_response(pair.value());
}

// An API key: its owner, id and scopes (the route checks the scope), or why it is refused.
asio::awaitable<net::ServerHooks::AuthOutcome> verify_api_key(const auth::AuthState& state,
                                                              std::string token) {
  using Outcome = net::ServerHooks::AuthOutcome;
  using Kind = auth::ApiKeyVerifier::Verdict::Kind;
  auto keys = state.api_keys();
  if (!keys) co_return Outcome{.reason = "API keys are not served by this process"};
  auto verdict = co_await keys->verify(std::move(token));
  switch (verdict.kind) {
    case Kind::ok:
      co_return Outcome{.kind = Outcome::Kind::ok,
                        .user_id = std::move(verdict.key.user_id),
                        .api_key_id = std::move(verdict.key.id),
                        .scopes = std::move(verdict.key.scopes)};
    case Kind::rate_limited:
      co_return Outcome{.kind = Outcome::Kind::rate_limited,
                        .reason = std::move(verdict.reason),
                        .api_key_id = std::move(verdict.key.id),
                        .retry_after = verdict.retry_after};
    case Kind::unavailable:
      co_return Outcome{.kind = Outcome::Kind::unavailable, .reason = std::move(verdict.reason)};
    case Kind::unknown:
      break;
  }
  co_return Outcome{.reason = std::move(verdict.reason)};
}

}  // namespace

asio::awaitable<net::ServerHooks::AuthOutcome> verify_bearer(const auth::AuthState& state,
                                                             std::string token) {
  using Outcome = net::ServerHooks::AuthOutcome;
  if (auth::looks_like_api_key(token)) co_return co_await verify_api_key(state, std::move(token));
  auto claims = co_await state.verify_access(std::move(token));
  if (claims) {
    co_return Outcome{Outcome::Kind::ok, claims->subject, "", claims->expires_at,
                      claims->session_id};
  }
  if (claims.error().no_keys)
    co_return Outcome{Outcome::Kind::unavailable, "", claims.error().reason, 0, ""};
  co_return Outcome{Outcome::Kind::invalid, "", claims.error().reason, 0, ""};
}

void add_auth_routes(net::Router& router, auth::AuthState& state, AuthRouteOptions options,
                     std::weak_ptr<redis::RedisClient> redis) {
  const std::chrono::seconds minute(60);
  // Login attempts, per client address and per account; across the instances with Redis.
  auto by_address =
      std::make_shared<Limiter>("login-address", options.login_limit_per_minute, minute, redis);
  auto by_account =
      std::make_shared<Limiter>("login-account", options.login_limit_per_minute, minute, redis);
  // Registrations hash a password (argon2id, 64 MiB) and refreshes write the database: both are
  // counted per client address, like logins.
  auto registrations =
      std::make_shared<Limiter>("register", options.register_limit_per_minute, minute, redis);
  auto refreshes =
      std::make_shared<Limiter>("refresh", options.refresh_limit_per_minute, minute, redis);
  if (options.dev_login) {
    router.add(
        "POST", "/auth/dev/login",
        [&state](HttpRequest& r) -> asio::awaitable<HttpResponse> {
          auto fields = string_fields(r, {"email"});
          if (!fields) co_return fields.error();
          auto service = state.get();
          if (!service) co_return not_running(r);
          co_return pair_or_error(co_await service->dev_login(fields.value()[0]), r);
        },
        kWhileAuthServiceReady);
  }

  router.add(
      "POST", "/auth/register",
      [&state, registrations](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        if (auto refused = co_await over_limit(*registrations, r, "too many registrations")) {
          co_return std::move(*refused);
        }
        auto fields = string_fields(r, {"email", "password"});
        if (!fields) co_return fields.error();
        auto service = state.get();
        if (!service) co_return not_running(r);
        auto created = co_await service->register_user(fields.value()[0], fields.value()[1]);
        if (!created) co_return error_response(created.error(), r.request_id);
        co_return net::json_response(nlohmann::json{{"user", user_json(created.value())}}.dump(),
                                     201);
      },
      kWhileAuthServiceReady);

  router.add(
      "POST", "/auth/login",
      [&state, by_address, by_account](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto fields = string_fields(r, {"email", "password"});
        if (!fields) co_return fields.error();
        // The account is counted as the lookup will see it (trimmed, domain lower-cased: one
        // bucket however it is spelt), and only for attempts its address was allowed to make,
        // so one address cannot spend an account's attempts beyond its own limit.
        const auto normalized = auth::normalize_email(fields.value()[0]);
        const std::string account = normalized ? *normalized : fields.value()[0];
        auto refused = co_await by_address->hit(net::rate_limit_key(r.remote_address));
        if (refused.allowed) refused = co_await by_account->hit(account);
        if (!refused.allowed) co_return limited("too many login attempts", refused);
        auto service = state.get();
        if (!service) co_return not_running(r);
        co_return pair_or_error(co_await service->login(fields.value()[0], fields.value()[1]), r);
      },
      kWhileAuthServiceReady);

  router.add(
      "POST", "/auth/refresh",
      [&state, refreshes](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        if (auto refused = co_await over_limit(*refreshes, r, "too many token refreshes")) {
          co_return std::move(*refused);
        }
        auto fields = string_fields(r, {"refresh_token"});
        if (!fields) co_return fields.error();
        auto service = state.get();
        if (!service) co_return not_running(r);
        co_return pair_or_error(co_await service->refresh(fields.value()[0]), r);
      },
      kWhileAuthServiceReady);

  router.add(
      "POST", "/auth/logout",
      [&state](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto fields = string_fields(r, {"refresh_token"});
        if (!fields) co_return fields.error();
        auto service = state.get();
        if (!service) co_return not_running(r);
        auto done = co_await service->logout(fields.value()[0]);
        if (!done) co_return error_response(done.error(), r.request_id);
        co_return net::json_response(R"({"status":"logged_out"})");
      },
      kWhileAuthServiceReady);

  router.add(
      "GET", "/auth/me",
      [&state](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto service = state.get();
        if (!service) co_return not_running(r);
        auto user = co_await service->user(r.user_id);
        if (!user) co_return error_response(user.error(), r.request_id);
        co_return net::json_response(nlohmann::json{{"user", user_json(user.value())}}.dump());
      },
      net::RouteOptions{.needs_component = "auth_service", .authenticated = true});

  router.add(
      "GET", "/.well-known/jwks.json",
      [&state](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto service = state.get();
        if (!service) co_return not_running(r);
        // On a first start the key may still be being made: the set waits for it, so that no
        // verifier caches a set without it.
        auto key = co_await service->signing_key();
        if (!key) co_return error_response(key.error(), r.request_id);
        co_return net::json_response(service->jwks().dump());
      },
      kWhileAuthServiceReady);

  if (!options.oidc_providers.empty()) add_oidc_routes(router, state, options, redis);
}

}  // namespace netra::api
