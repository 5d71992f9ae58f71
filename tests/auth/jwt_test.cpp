// The JWT attack list: every forged, stale, misdirected or malformed token is refused.
#include "auth/jwt.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "auth/base64url.hpp"
#include "support/temp_dir.hpp"

namespace netra::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class JwtTest : public ::testing::TestWithParam<KeyAlgorithm> {
 protected:
  JwtTest()
      : key_(std::make_shared<SigningKey>(SigningKey::generate(GetParam()))),
        verifier_(VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8 * 1024, 0}) {
    verifier_.add_key(key_);
  }

  Claims claims(TokenType type = TokenType::access) const {
    return Claims{"user_1", "netra", "netra-api", "jti_1", kNow, kNow, kNow + 900, type, ""};
  }
  std::string token(const Claims& c) const { return issue_token(*key_, c); }

  std::string reason(const std::string& t, TokenType expected = TokenType::access) const {
    auto r = verifier_.verify(t, expected, kNow);
    return r ? "" : r.error().reason;
  }

  // Re-assembles a token from JSON header and payload with the given signature bytes.
  static std::string assemble(const nlohmann::json& header, const nlohmann::json& payload,
                              const std::string& signature) {
    return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump()) + "." +
           base64url_encode(signature);
  }
  nlohmann::json header_of(const std::string& t) const {
    return nlohmann::json::parse(*base64url_decode(t.substr(0, t.find('.'))));
  }
  nlohmann::json payload_of(const std::string& t) const {
    const auto a = t.find('.');
    const auto b = t.find('.', a + 1);
    return nlohmann::json::parse(*base64url_decode(t.substr(a + 1, b - a - 1)));
  }

  std::shared_ptr<SigningKey> key_;
  JwtVerifier verifier_;
};

TEST_P(JwtTest, AValidTokenIsAccepted) {
  auto r = verifier_.verify(token(claims()), TokenType::access, kNow);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->subject, "user_1");
  EXPECT_EQ(r->token_id, "jti_1");
}

// Tokens were written by nlohmann (members in name order, compact) before Boost.JSON wrote them:
// an issued token's parts are still byte for byte what that writer makes of them, with a sid.
TEST_P(JwtTest, IssuedPartsAreCompactWithMembersInNameOrder) {
  auto c = claims();
  c.session_id = "fam_1";
  const auto t = token(c);
  const auto a = t.find('.');
  const auto b = t.find('.', a + 1);
  EXPECT_EQ(*base64url_decode(t.substr(0, a)), header_of(t).dump());
  EXPECT_EQ(*base64url_decode(t.substr(a + 1, b - a - 1)), payload_of(t).dump());
  EXPECT_EQ(payload_of(t)["sid"], "fam_1");
}

TEST_P(JwtTest, AlgNoneIsRefused) {
  const auto t = token(claims());
  auto header = header_of(t);
  header["alg"] = "none";
  EXPECT_EQ(reason(assemble(header, payload_of(t), "")), "alg does not match the key");
}

TEST_P(JwtTest, Hs256SignedWithThePublicKeyIsRefused) {
  const auto t = token(claims());
  auto header = header_of(t);
  header["alg"] = "HS256";
  const std::string input =
      base64url_encode(header.dump()) + "." + base64url_encode(payload_of(t).dump());
  const std::string secret = key_->public_pem();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  const std::string forged =
      input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), length));
  EXPECT_EQ(reason(forged), "alg does not match the key");
}

TEST_P(JwtTest, ExpiredBeyondTheLeewayIsRefused) {
  auto c = claims();
  c.expires_at = kNow - 31;
  EXPECT_EQ(reason(token(c)), "expired");
  c.expires_at = kNow - 29;  // within the 30 s leeway
  EXPECT_EQ(reason(token(c)), "");
}

TEST_P(JwtTest, NotBeforeInTheFutureIsRefused) {
  auto c = claims();
  c.not_before = kNow + 120;
  EXPECT_EQ(reason(token(c)), "not valid yet");
}

// Signed and well-formed, but a time past the year 9999: refused before any arithmetic on it
// (exp + leeway would overflow).
TEST_P(JwtTest, ATimeClaimOutOfRangeIsRefused) {
  auto c = claims();
  c.expires_at = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(reason(token(c)), "missing or invalid claims");
  c = claims();
  c.not_before = -1;
  EXPECT_EQ(reason(token(c)), "missing or invalid claims");
  c = claims();
  c.expires_at = kLatestNumericDate;
  EXPECT_EQ(reason(token(c)), "");
}

TEST_P(JwtTest, WrongIssuerOrAudienceIsRefused) {
  auto c = claims();
  c.issuer = "someone-else";
  EXPECT_EQ(reason(token(c)), "wrong issuer");
  c = claims();
  c.audience = "other-api";
  EXPECT_EQ(reason(token(c)), "wrong audience");
}

TEST_P(JwtTest, RefreshTokenUsedAsAccessTokenIsRefused) {
  EXPECT_EQ(reason(token(claims(TokenType::refresh))), "wrong token_type");
  EXPECT_EQ(reason(token(claims(TokenType::refresh)), TokenType::refresh), "");
}

TEST_P(JwtTest, TamperedPayloadIsRefused) {
  const auto t = token(claims());
  auto payload = payload_of(t);
  payload["sub"] = "admin";
  const auto a = t.find('.');
  const auto b = t.find('.', a + 1);
  const std::string forged = t.substr(0, a) + "." + base64url_encode(payload.dump()) + t.substr(b);
  EXPECT_EQ(reason(forged), "bad signature");
}

TEST_P(JwtTest, TamperedSignatureIsRefused) {
  auto t = token(claims());
  const auto b = t.rfind('.');
  auto signature = *base64url_decode(t.substr(b + 1));
  signature[signature.size() / 2] ^= 0x01;
  EXPECT_EQ(reason(t.substr(0, b + 1) + base64url_encode(signature)), "bad signature");
}

TEST_P(JwtTest, UnknownKidIsRefused) {
  auto other = SigningKey::generate(GetParam());
  EXPECT_EQ(reason(issue_token(other, claims())), "unknown kid");
}

TEST_P(JwtTest, MalformedPartsAreRefused) {
  const auto t = token(claims());
  const auto a = t.find('.');
  const auto b = t.find('.', a + 1);
  const std::string h = t.substr(0, a), p = t.substr(a + 1, b - a - 1), s = t.substr(b + 1);
  EXPECT_EQ(reason("%%%." + p + "." + s), "malformed header");
  EXPECT_EQ(reason(base64url_encode("{not json") + "." + p + "." + s), "malformed header");
  EXPECT_EQ(reason(h + "." + p + ".%%%"), "malformed signature");
  EXPECT_EQ(reason(h + "." + p + "." + s + "x"), "malformed signature");  // impossible length
  // A malformed payload with a valid signature over it: still refused, after the signature.
  for (const std::string& bad_payload :
       {std::string("%%%"), base64url_encode("[1,2]"), base64url_encode("{\"sub\":")}) {
    const std::string input = h + "." + bad_payload;
    const std::string forged = input + "." + base64url_encode(key_->sign(input));
    EXPECT_EQ(reason(forged), "malformed payload") << bad_payload;
  }
  EXPECT_EQ(reason(h + "." + p), "not three dot-separated parts");
  EXPECT_EQ(reason(t + ".x"), "not three dot-separated parts");
}

TEST_P(JwtTest, OversizedTokenIsRefusedBeforeParsing) {
  EXPECT_EQ(reason(std::string(100 * 1024, 'a')), "token longer than the limit");
}

TEST_P(JwtTest, KeysPersistWithMode0600AndKeepTheirKid) {
  testing::TempDir dir;
  const auto path = dir.file("signing.pem");
  ASSERT_TRUE(key_->save_if_absent(path));
  EXPECT_FALSE(key_->save_if_absent(path)) << "a key file is never replaced";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto loaded = SigningKey::load(path);
  EXPECT_EQ(loaded.kid(), key_->kid());
  EXPECT_EQ(loaded.algorithm(), GetParam());
  EXPECT_EQ(reason(issue_token(loaded, claims())), "") << "tokens from the reloaded key verify";
}

TEST_P(JwtTest, PublicJwkDescribesTheKey) {
  auto jwk = key_->public_jwk();
  EXPECT_EQ(jwk["kid"], key_->kid());
  EXPECT_EQ(jwk["alg"], std::string(jwt_alg(GetParam())));
  if (GetParam() == KeyAlgorithm::rs256) {
    EXPECT_EQ(jwk["kty"], "RSA");
    EXPECT_EQ(base64url_decode(jwk["n"].get<std::string>())->size(), 256u) << "2048-bit modulus";
  } else {
    EXPECT_EQ(jwk["kty"], "OKP");
    EXPECT_EQ(base64url_decode(jwk["x"].get<std::string>())->size(), 32u);
  }
  EXPECT_FALSE(jwk.contains("d")) << "no private part";
}

TEST_P(JwtTest, TheVerifiedTokenCacheStillChecksTimeAndType) {
  JwtVerifier cached(VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8 * 1024, 64});
  cached.add_key(key_);
  const auto t = token(claims());
  ASSERT_TRUE(cached.verify(t, TokenType::access, kNow));
  ASSERT_TRUE(cached.verify(t, TokenType::access, kNow)) << "a hit";
  auto as_refresh = cached.verify(t, TokenType::refresh, kNow);
  ASSERT_FALSE(as_refresh);
  EXPECT_EQ(as_refresh.error().reason, "wrong token_type");
  auto later = cached.verify(t, TokenType::access, kNow + 900 + 31);
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().reason, "expired");
  // A forged variant is not the same bytes: it is verified, and refused.
  EXPECT_FALSE(cached.verify(t + "A", TokenType::access, kNow));
  // Many tokens stay within the bound.
  for (int i = 0; i < 500; ++i) {
    auto c = claims();
    c.token_id = "jti_" + std::to_string(i);
    ASSERT_TRUE(cached.verify(token(c), TokenType::access, kNow));
  }
}

TEST_P(JwtTest, APublishedJwkBecomesAVerifyOnlyKey) {
  auto remote = std::make_shared<SigningKey>(SigningKey::from_public_jwk(key_->public_jwk()));
  EXPECT_EQ(remote->kid(), key_->kid());
  EXPECT_EQ(remote->algorithm(), GetParam());
  EXPECT_FALSE(remote->can_sign());
  EXPECT_THROW(remote->sign("x"), std::logic_error);
  JwtVerifier fetched(VerifierOptions{"netra", "netra-api"});
  fetched.add_key(remote);
  EXPECT_TRUE(fetched.verify(token(claims()), TokenType::access, kNow));
  auto other = SigningKey::generate(GetParam());
  auto forged = issue_token(other, claims());
  EXPECT_FALSE(fetched.verify(forged, TokenType::access, kNow)) << "another key, unknown kid";
}

TEST_P(JwtTest, ReplacingTheKeysForgetsCachedTokens) {
  JwtVerifier cached(VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8 * 1024, 64});
  cached.add_key(key_);
  const auto t = token(claims());
  ASSERT_TRUE(cached.verify(t, TokenType::access, kNow));
  auto successor = std::make_shared<SigningKey>(SigningKey::generate(GetParam()));
  cached.replace_keys({successor});
  EXPECT_EQ(cached.key_count(), 1u);
  auto withdrawn = cached.verify(t, TokenType::access, kNow);
  ASSERT_FALSE(withdrawn) << "a withdrawn key's token must not be served from the cache";
  EXPECT_TRUE(withdrawn.error().unknown_key);
  EXPECT_TRUE(cached.verify(issue_token(*successor, claims()), TokenType::access, kNow));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtTest,
                         ::testing::Values(KeyAlgorithm::rs256, KeyAlgorithm::eddsa),
                         [](const auto& info) { return std::string(jwt_alg(info.param)); });

TEST(PublicJwk, UnusableKeysAreRefused) {
  auto jwk = SigningKey::generate(KeyAlgorithm::rs256).public_jwk();
  auto without_kid = jwk;
  without_kid.erase("kid");
  EXPECT_THROW(SigningKey::from_public_jwk(without_kid), std::invalid_argument);
  auto short_modulus = jwk;
  short_modulus["n"] = base64url_encode(std::string(128, '\x7f'));  // 1024 bits
  EXPECT_THROW(SigningKey::from_public_jwk(short_modulus), std::invalid_argument);
  auto bad_base64 = jwk;
  bad_base64["n"] = "not base64!";
  EXPECT_THROW(SigningKey::from_public_jwk(bad_base64), std::invalid_argument);
  auto symmetric = jwk;
  symmetric["kty"] = "oct";
  EXPECT_THROW(SigningKey::from_public_jwk(symmetric), std::invalid_argument);
  auto okp = SigningKey::generate(KeyAlgorithm::eddsa).public_jwk();
  okp["crv"] = "X25519";
  EXPECT_THROW(SigningKey::from_public_jwk(okp), std::invalid_argument);
  EXPECT_THROW(SigningKey::from_public_jwk(nlohmann::json::array()), std::invalid_argument);
}

// HS256 exists for compatibility only: tokens signed with the configured secret are accepted.
class SharedSecretTest : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "0123456789abcdef0123456789abcdef-compat";
  SharedSecretTest()
      : key_(std::make_shared<SigningKey>(SigningKey::from_secret(kSecret))),
        verifier_(VerifierOptions{"netra", "netra-api"}) {
    verifier_.add_key(key_);
  }
  static Claims claims() {
    return Claims{"user_1", "netra",    "netra-api",       "jti_1", kNow,
                  kNow,     kNow + 900, TokenType::access, ""};
  }
  // A token as a legacy service would sign it: HS256 over the secret, with or without a kid.
  static std::string legacy_token(const std::string& secret, bool with_kid,
                                  const std::string& kid) {
    nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
    if (with_kid) header["kid"] = kid;
    const auto c = claims();
    const nlohmann::json payload = {{"sub", c.subject},    {"iss", c.issuer},
                                    {"aud", c.audience},   {"jti", c.token_id},
                                    {"iat", c.issued_at},  {"nbf", c.not_before},
                                    {"exp", c.expires_at}, {"token_type", "access"}};
    const std::string input =
        base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
    return input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), length));
  }
  std::shared_ptr<SigningKey> key_;
  JwtVerifier verifier_;
};

TEST_F(SharedSecretTest, ShortSecretsAreRefused) {
  EXPECT_THROW(SigningKey::from_secret(std::string(31, 'x')), std::invalid_argument);
  EXPECT_NO_THROW(SigningKey::from_secret(std::string(32, 'x')));
}

TEST_F(SharedSecretTest, TokensSignedWithTheSecretVerify) {
  EXPECT_EQ(jwt_alg(key_->algorithm()), "HS256");
  EXPECT_TRUE(key_->is_symmetric());
  EXPECT_EQ(key_->kid().find(kSecret), std::string::npos) << "the kid does not reveal the secret";
  EXPECT_TRUE(verifier_.verify(issue_token(*key_, claims()), TokenType::access, kNow));
  EXPECT_TRUE(verifier_.verify(legacy_token(kSecret, false, ""), TokenType::access, kNow))
      << "a legacy token without a kid";
  EXPECT_TRUE(verifier_.verify(legacy_token(kSecret, true, key_->kid()), TokenType::access, kNow));
  EXPECT_THROW((void)key_->public_jwk(), std::logic_error) << "a secret is never published";
}

TEST_F(SharedSecretTest, AnotherSecretOrAnAsymmetricAlgIsRefused) {
  auto other = legacy_token("another secret, also 32 bytes long!!", false, "");
  auto r = verifier_.verify(other, TokenType::access, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad signature");
  // Only RSA keys: an HS256 token without a kid finds no key.
  JwtVerifier rsa_only(VerifierOptions{"netra", "netra-api"});
  rsa_only.add_key(std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::rs256)));
  auto no_secret = rsa_only.verify(legacy_token(kSecret, false, ""), TokenType::access, kNow);
  ASSERT_FALSE(no_secret);
  EXPECT_EQ(no_secret.error().reason, "no kid");
  // The secret's kid with another alg: the key decides the algorithm.
  auto header_says_rs256 = issue_token(*key_, claims());
  const auto dot = header_says_rs256.find('.');
  nlohmann::json header = {{"alg", "RS256"}, {"kid", key_->kid()}};
  auto forged = base64url_encode(header.dump()) + header_says_rs256.substr(dot);
  auto r2 = verifier_.verify(forged, TokenType::access, kNow);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().reason, "alg does not match the key");
}

TEST(Base64Url, RoundTripsAndRefusesWhatNoEncoderProduces) {
  const std::vector<std::string> samples = {
      "", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)};
  for (const auto& s : samples) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(base64url_decode("Zm9v="));          // padding
  EXPECT_FALSE(base64url_decode("Zm9+"));           // standard alphabet
  EXPECT_TRUE(base64url_decode("Zg").has_value());  // "f"
  EXPECT_FALSE(base64url_decode("Zh"));             // non-zero leftover bits
  EXPECT_FALSE(base64url_decode("Z"));              // impossible length
}

}  // namespace
}  // namespace netra::auth
