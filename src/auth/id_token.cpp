#include "auth/id_token.hpp"

#include <algorithm>

#include "auth/jwt.hpp"

namespace netra::auth {
namespace {

std::optional<std::string> text(const nlohmann::json& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// aud is a string or an array of strings (§2).
std::vector<std::string> audiences(const nlohmann::json& p) {
  std::vector<std::string> out;
  auto it = p.find("aud");
  if (it == p.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) out.push_back(a.get<std::string>());
    }
  }
  return out;
}

// email_verified is a boolean; some providers have sent the string "true".
bool verified_flag(const nlohmann::json& p) {
  auto it = p.find("email_verified");
  if (it == p.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "true";
}

}  // namespace

core::Result<IdToken, std::string> check_id_token(const nlohmann::json& p,
                                                  const IdTokenExpectations& expected) {
  if (!p.is_object()) return std::string("the payload is not a JSON object");
  const auto iss = text(p, "iss");
  const auto sub = text(p, "sub");
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
  if (aud.size() > 1 && text(p, "azp") != expected.client_id) {
    return std::string("wrong audience: several audiences and azp is not this client");
  }
  const int64_t leeway = expected.leeway.count();
  if (expected.now > *exp + leeway) return std::string("expired");
  if (*iat > expected.now + leeway) return std::string("issued in the future (iat)");
  if (expected.now - *iat > expected.max_age.count() + leeway) {
    return std::string("expired: issued too long ago (iat)");
  }
  const auto nonce = text(p, "nonce");
  if (!nonce || *nonce != expected.nonce) return std::string("nonce does not match");
  IdToken token;
  token.issuer = *iss;
  token.subject = *sub;
  token.email = text(p, "email");
  token.email_verified = token.email && verified_flag(p);
  token.name = text(p, "name").value_or("");
  return token;
}

}  // namespace netra::auth
