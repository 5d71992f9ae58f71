// JWT parsing and verification. An input starting with 'T' is a token as a client sends it,
// verified as it is. Any other input is a header and a payload (JSON texts, split at the first
// newline) that the fuzzer signs itself — with the HS256 secret and with the RS256 key the
// verifier trusts, "$KID" in the header naming that key — so it reaches the claim checks behind a
// valid signature. Whatever verifies must carry what the verifier requires; a payload that also
// passes as an ID token (issuer "netra", audience "netra-api", nonce "n") must carry a subject.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/base64url.hpp"
#include "auth/id_token.hpp"
#include "auth/jwt.hpp"
#include "auth/signing_key.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace netra::auth;

constexpr int64_t kNow = 1'800'000'000;  // a fixed now: an input means the same on every run

struct Keys {
  std::shared_ptr<const SigningKey> shared =
      std::make_shared<SigningKey>(SigningKey::from_secret(std::string(32, 's')));
  std::shared_ptr<const SigningKey> rsa =
      std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::rs256));
  std::shared_ptr<const SigningKey> ed =
      std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::eddsa));
  JwtVerifier verifier{VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8 * 1024,
                                       /*cache_capacity=*/64}};
  Keys() {
    verifier.add_key(shared);
    verifier.add_key(rsa);
    verifier.add_key(ed);
  }
};

std::string replace_kid(std::string_view header, const std::string& kid) {
  std::string out(header);
  for (auto at = out.find("$KID"); at != std::string::npos; at = out.find("$KID", at + kid.size()))
    out.replace(at, 4, kid);
  return out;
}

void verify(const Keys& keys, std::string_view token) {
  for (const auto type : {TokenType::access, TokenType::refresh}) {
    const auto claims = keys.verifier.verify(token, type, kNow);
    if (!claims) continue;
    FUZZ_CHECK(claims->type == type);
    FUZZ_CHECK(claims->issuer == "netra");
    FUZZ_CHECK(claims->audience == "netra-api");
    FUZZ_CHECK(!claims->subject.empty());
    FUZZ_CHECK(claims->expires_at + 30 > kNow);
    FUZZ_CHECK(claims->not_before - 30 <= kNow);
  }
  // The same signature check, read as an OpenID provider's ID token (auth/id_token).
  const auto payload = keys.verifier.verified_payload(token);
  if (!payload) return;
  IdTokenExpectations expected;
  expected.issuer = "netra";
  expected.client_id = "netra-api";
  expected.nonce = "n";
  expected.now = kNow;
  const auto identity = check_id_token(payload.value(), expected);
  if (!identity) return;
  FUZZ_CHECK(!identity->subject.empty());
  FUZZ_CHECK(identity->issuer == "netra");
  FUZZ_CHECK(!identity->email_verified || identity->email.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Keys keys;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.starts_with('T')) {
    verify(keys, input.substr(1));
    return 0;
  }
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) return -1;
  const auto payload = base64url_encode(input.substr(newline + 1));
  for (const auto& key : {keys.shared, keys.rsa}) {
    const auto signing_input =
        base64url_encode(replace_kid(input.substr(0, newline), key->kid())) + "." + payload;
    verify(keys, signing_input + "." + base64url_encode(key->sign(signing_input)));
  }
  return 0;
}
