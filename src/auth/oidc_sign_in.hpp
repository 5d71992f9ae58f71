// OidcSignIn: sign-in with an OpenID provider (OpenID Connect Core 1.0, authorization code flow
// with PKCE). begin() stores a pending login (state, nonce, PKCE verifier) in the database and
// names the provider's page to send the browser to; finish() takes that login once by its state,
// exchanges the code for an ID token, verifies it, and signs the user in with our own tokens
// (AuthService::sign_in_with_identity decides the account). No HTTP here: routes in api/.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/auth_config.hpp"
#include "auth/auth_service.hpp"
#include "auth/oidc_client.hpp"
#include "auth/oidc_store.hpp"
#include "net/http_client.hpp"

namespace netra::auth {

struct OidcError {
  enum class Kind {
    unknown_provider,    // 404
    invalid_state,       // 400: no such pending login, used, expired, or not this browser's
    denied,              // 401: the provider (or the user there) refused the sign-in
    code_refused,        // 401: the token endpoint refused the code (replayed, expired)
    invalid_id_token,    // 401: the ID token failed a check, named in the message
    email_not_verified,  // 403: see AuthService::sign_in_with_identity
    provider_error,      // 502: the provider answered something unusable
    unavailable,         // 503: the provider or our database could not be reached in time
  };
  Kind kind = Kind::unavailable;
  std::string message;
};

struct OidcBegun {
  std::string redirect_url;  // the provider's authorization page, with this login's parameters
  std::string state;         // for the cookie that binds the callback to this browser
  bool secure = false;       // the callback is https://: the cookie is Secure
};

struct OidcFinished {
  TokenPair tokens;
  std::string return_to;  // as given to begin()
  bool secure = false;    // as OidcBegun's
};

// What the provider's redirect to our callback carries.
struct OidcCallback {
  std::string code;
  std::string state;
  std::string error;  // the provider's error (access_denied, ...), when it sends one
  std::string error_description;
  std::string browser_state;  // the state of the cookie begin()'s response set
};

class OidcSignIn {
 public:
  // `on_call` times each call to a provider (discovery, JWKS, token endpoint), or is empty.
  OidcSignIn(const std::vector<OidcProviderConfig>& providers, db::Database& db,
             std::shared_ptr<AuthService> service, const std::string& ca_file,
             net::CallObserver on_call = nullptr);

  std::vector<std::string> provider_names() const;
  bool has_provider(const std::string& name) const { return clients_.count(name) != 0; }

  // `return_to` was checked by the caller (a path of ours or an allowed origin), or is empty.
  asio::awaitable<core::Result<OidcBegun, OidcError>> begin(std::string provider,
                                                            std::string return_to);
  asio::awaitable<core::Result<OidcFinished, OidcError>> finish(std::string provider,
                                                                OidcCallback callback);

  // A pending login lives this long: the time a person has at the provider's pages.
  static constexpr std::chrono::minutes kLoginLifetime{10};

 private:
  std::shared_ptr<net::HttpClient> http_;
  std::map<std::string, std::shared_ptr<OidcClient>> clients_;
  PendingLoginStore logins_;
  std::shared_ptr<AuthService> service_;
};

}  // namespace netra::auth
