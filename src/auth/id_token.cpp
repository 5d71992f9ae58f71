#include "auth/id_token.hpp"

#include <algorithm>

#include "auth/jwt.hpp"

namespace netra::auth {
namespace {

// aud is a string or an array of strings (§2).
std::vector<std::string> audiences(const boost::json::object& p) {
  std::vector<std::string> out;
  const auto* aud = p.if_contains("aud");
  if (aud == nullptr) return out;
  if (aud->is_string()) out.emplace_back(aud->get_string());
  if (aud->is_array()) {
    for (const auto& a : aud->get_array()) {
      if (a.is_string()) out.emplace_back(a.get_string());
    }
  }
  return out;
}

// email_verified is a boolean; some providers have sent the string "true".
bool verified_flag(const boost::json::object& p) {
  const auto* flag = p.if_contains("email_verified");
  if (flag == nullptr) return false;
  if (flag->is_bool()) return flag->get_bool();
  return flag->is_string() && flag->get_string() == "true";
}

}  // namespace

core::Result<IdToken, std::string> check_id_token(const boost::json::value& payload,
                                                  const IdTokenExpectations& expected) {
  if (!payload.is_object()) return std::string("the payload is not a JSON object");
  const auto& p = payload.get_object();
  const auto iss = string_claim(p, "iss");
  const auto sub = string_claim(p, "sub");
  const auto exp = numeric_date(p, "exp");
  const auto iat = numeric_date(p, "iat");
  if (!iss || !sub || sub->empty() || !exp || !iat) {
    return std::string("a required claim (iss, sub, exp, iat) is missing or invalid");
  }
  if (*iss != expected.issuer) return "wrong issuer: " + *iss;
  const auto aud = audiences(p);
  if (std::find(aud.begin(), aud.end(), expected.client_id) == aud.end()) {
    return std::string("wrong audience: the token is not for this client");
  }
  if (aud.size() > 1 && string_claim(p, "azp") != expected.client_id) {
    return std::string("wrong audience: several audiences and azp is not this client");
  }
  const int64_t leeway = expected.leeway.count();
  if (expected.now > *exp + leeway) return std::string("expired");
  if (*iat > expected.now + leeway) return std::string("issued in the future (iat)");
  if (expected.now - *iat > expected.max_age.count() + leeway) {
    return std::string("expired: issued too long ago (iat)");
  }
  const auto nonce = string_claim(p, "nonce");
  if (!nonce || *nonce != expected.nonce) return std::string("nonce does not match");
  IdToken token;
  token.issuer = *iss;
  token.subject = *sub;
  token.email = string_claim(p, "email");
  token.email_verified = token.email && verified_flag(p);
  token.name = string_claim(p, "name").value_or("");
  return token;
}

}  // namespace netra::auth
