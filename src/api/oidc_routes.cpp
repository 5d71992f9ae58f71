#include "api/oidc_routes.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "api/error_response.hpp"
#include "net/client_address.hpp"
#include "net/http_url.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"
#include "redis/shared_rate_limiter.hpp"

namespace netra::api {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using Kind = auth::OidcError::Kind;

constexpr std::string_view kCookie = "netra_oidc";
constexpr size_t kMaxReturnTo = 2048;

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "". Written here: neither Beast
// nor the rest of Boost parses Cookie headers, and this one only needs a name's value.
std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = std::min(header.find(';'), header.size());
    auto pair = header.substr(0, end);
    header.remove_prefix(std::min(end + 1, header.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return "";
}

// A place a sign-in may end at: a path of this service, or a page of an origin the CORS list
// allows. Anything else would make the login route an open redirect that hands out tokens.
bool acceptable_return_to(const std::string& to, const net::CorsPolicy& origins) {
  if (to.size() > kMaxReturnTo) return false;
  for (unsigned char c : to) {
    if (c < 0x21 || c == 0x7f || c == '\\') return false;
  }
  if (to.starts_with("/")) return !to.starts_with("//");  // "//host" is another origin
  const auto url = net::parse_http_url(to);
  if (!url || to.find('#') != std::string::npos) return false;
  return origins.allows(std::string(url->tls ? "https://" : "http://") + url->host_header);
}

// What every answer of these routes carries: nothing here may be cached or leak in a Referer.
HttpResponse& private_answer(HttpResponse& response) {
  return response.with_header("Cache-Control", "no-store")
      .with_header("Referrer-Policy", "no-referrer");
}

std::string cookie(const std::string& value, int max_age, bool secure) {
  return std::string(kCookie) + "=" + value +
         "; Path=/auth/oidc; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

std::string fragment_of(const auth::TokenPair& p) {
  auto field = [](std::string_view name, std::string_view value) {
    return std::string(name) + "=" + boost::urls::encode(value, boost::urls::unreserved_chars);
  };
  return field("access_token", p.access_token) + "&" + field("refresh_token", p.refresh_token) +
         "&token_type=Bearer&expires_in=" + std::to_string(p.expires_in);
}

const net::RouteOptions kWhileAuthServiceReady{.needs_component = "auth_service"};

}  // namespace

void add_oidc_routes(net::Router& router, auth::AuthState& state, const AuthRouteOptions& options,
                     std::weak_ptr<redis::RedisClient> redis) {
  // Each login stores a pending sign-in: counted per client address, like password logins.
  auto starts = std::make_shared<redis::SharedRateLimiter>(
      "oidc-login", options.login_limit_per_minute, std::chrono::seconds(60), std::move(redis));
  auto origins = std::make_shared<const net::CorsPolicy>(options.return_origins);

  router.add(
      "GET", "/auth/oidc/{provider}/login",
      [&state, starts, origins](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        const auto decision = co_await starts->hit(net::rate_limit_key(r.remote_address));
        if (!decision.allowed) {
          co_return net::json_error(429, "rate_limited", "too many sign-ins; try again later")
              .with_header("Retry-After", std::to_string(decision.retry_after.count()));
        }
        auto sign_in = state.oidc();
        if (!sign_in)
          co_return error_response(auth::OidcError{Kind::unavailable, "sign-in is not running"});
        const auto return_to = r.query_param("return_to");
        if (!return_to.empty() && !acceptable_return_to(return_to, *origins)) {
          co_return net::invalid_fields({{"return_to",
                                          "a path of this service, or a page of an origin in "
                                          "server.cors_origins"}});
        }
        auto begun = co_await sign_in->begin(r.path_params["provider"], return_to);
        if (!begun) co_return error_response(begun.error());
        HttpResponse response;
        response.status = 302;
        response.with_header("Location", begun->redirect_url);
        const int max_age =
            static_cast<int>(std::chrono::seconds(auth::OidcSignIn::kLoginLifetime).count());
        response.with_header("Set-Cookie", cookie(begun->state, max_age, begun->secure));
        co_return std::move(private_answer(response));
      },
      kWhileAuthServiceReady);

  router.add(
      "GET", "/auth/oidc/{provider}/callback",
      [&state](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        auto sign_in = state.oidc();
        if (!sign_in)
          co_return error_response(auth::OidcError{Kind::unavailable, "sign-in is not running"});
        auth::OidcCallback callback{r.query_param("code"), r.query_param("state"),
                                    r.query_param("error"), r.query_param("error_description"),
                                    cookie_value(r.header("cookie"), kCookie)};
        auto finished = co_await sign_in->finish(r.path_params["provider"], std::move(callback));
        if (!finished) {
          auto refused = error_response(finished.error());
          co_return std::move(private_answer(refused));
        }
        HttpResponse response = token_pair_response(finished->tokens);
        if (!finished->return_to.empty()) {
          response = HttpResponse{};
          response.status = 303;
          response.with_header("Location",
                               finished->return_to + "#" + fragment_of(finished->tokens));
        }
        // The sign-in is used: its cookie goes.
        response.with_header("Set-Cookie", cookie("", 0, finished->secure));
        co_return std::move(private_answer(response));
      },
      kWhileAuthServiceReady);
}

}  // namespace netra::api
