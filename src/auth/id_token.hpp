// IdToken: the claims of an OpenID Connect ID token checked as OpenID Connect Core 1.0 §3.1.3.7
// asks — issuer, audience (and azp when there are several), expiry, issue time, nonce — once its
// signature has been verified against the provider's keys (RemoteKeySet::verified_payload).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace netra::auth {

struct IdToken {
  std::string issuer;
  std::string subject;  // the provider's stable id of the account
  std::optional<std::string> email;
  bool email_verified = false;  // only what the provider says; absent means not verified
  std::string name;
};

struct IdTokenExpectations {
  std::string issuer;     // exactly the discovery document's issuer
  std::string client_id;  // must be among the audiences
  std::string nonce;      // the one sent with the authorization request
  int64_t now = 0;        // Unix seconds
  std::chrono::seconds leeway{60};
  // An ID token issued longer ago than this is refused even if it has not expired.
  std::chrono::seconds max_age{600};
};

// The claims, or which check failed ("expired", "nonce does not match", ...): the message names
// the check, never the token.
core::Result<IdToken, std::string> check_id_token(const boost::json::value& payload,
                                                  const IdTokenExpectations& expected);

}  // namespace netra::auth
