// check_id_token: each claim check of OpenID Connect Core §3.1.3.7 refuses what it must, names
// the check, and a valid token's identity comes out as the provider said it.
#include "auth/id_token.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <limits>

namespace netra::auth {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000;

IdTokenExpectations expected() {
  IdTokenExpectations e;
  e.issuer = "https://idp.example";
  e.client_id = "netra";
  e.nonce = "nc_abc";
  e.now = kNow;
  return e;
}

boost::json::object valid() {
  return {{"iss", "https://idp.example"},
          {"sub", "248289761001"},
          {"aud", "netra"},
          {"exp", kNow + 300},
          {"iat", kNow - 10},
          {"nonce", "nc_abc"},
          {"email", "jane@example.com"},
          {"email_verified", true},
          {"name", "Jane Doe"}};
}

std::string refusal(const boost::json::value& payload) {
  auto checked = check_id_token(payload, expected());
  return checked ? "" : checked.error();
}

TEST(IdTokenTest, AValidTokenGivesTheProvidersIdentity) {
  auto checked = check_id_token(valid(), expected());
  ASSERT_TRUE(checked) << checked.error();
  EXPECT_EQ(checked->subject, "248289761001");
  EXPECT_EQ(checked->email, "jane@example.com");
  EXPECT_TRUE(checked->email_verified);
  EXPECT_EQ(checked->name, "Jane Doe");
}

TEST(IdTokenTest, EachClaimCheckRefusesAndNamesItself) {
  auto with = [](const char* claim, boost::json::value value) {
    auto p = valid();
    p[claim] = std::move(value);
    return p;
  };
  EXPECT_THAT(refusal(with("iss", "https://other.example")), HasSubstr("wrong issuer"));
  EXPECT_THAT(refusal(with("aud", "someone-else")), HasSubstr("wrong audience"));
  EXPECT_THAT(refusal(with("aud", {"someone-else", "other"})), HasSubstr("wrong audience"));
  // Several audiences: ours must be among them and azp must be us.
  EXPECT_THAT(refusal(with("aud", {"netra", "other"})), HasSubstr("azp"));
  auto authorized = with("aud", {"netra", "other"});
  authorized["azp"] = "netra";
  EXPECT_EQ(refusal(authorized), "");
  EXPECT_THAT(refusal(with("exp", kNow - 61)), HasSubstr("expired"));
  EXPECT_EQ(refusal(with("exp", kNow - 30)), "") << "within the leeway";
  EXPECT_THAT(refusal(with("iat", kNow + 120)), HasSubstr("future"));
  EXPECT_THAT(refusal(with("iat", kNow - 3600)), HasSubstr("issued too long ago"));
  EXPECT_THAT(refusal(with("nonce", "nc_other")), HasSubstr("nonce"));
  auto no_nonce = valid();
  no_nonce.erase("nonce");
  EXPECT_THAT(refusal(no_nonce), HasSubstr("nonce"));
  for (const char* claim : {"iss", "sub", "exp", "iat"}) {
    auto missing = valid();
    missing.erase(claim);
    EXPECT_THAT(refusal(missing), HasSubstr("missing")) << claim;
  }
  EXPECT_THAT(refusal(with("sub", "")), HasSubstr("missing"));
  EXPECT_THAT(refusal(boost::json::array()), HasSubstr("not a JSON object"));
}

// Found by jwt_fuzzer: an exp of 1.8e65 was cast to an integer (undefined behaviour). A time claim
// out of the NumericDate range is refused as missing; a fractional one is read (RFC 7519 §2).
TEST(IdTokenTest, ATimeClaimOutOfRangeIsRefusedAndAFractionalOneRead) {
  auto with = [](const char* claim, boost::json::value value) {
    auto p = valid();
    p[claim] = std::move(value);
    return p;
  };
  for (const boost::json::value& bad :
       {boost::json::value(1.802e65), boost::json::value(-1.0),
        boost::json::value(std::numeric_limits<uint64_t>::max()),
        boost::json::value(std::numeric_limits<int64_t>::max()),
        boost::json::value(std::numeric_limits<int64_t>::min()),
        boost::json::value(std::numeric_limits<double>::quiet_NaN()),
        boost::json::value("1800000300")}) {
    EXPECT_THAT(refusal(with("exp", bad)), HasSubstr("missing"))
        << "exp " << boost::json::serialize(bad);
    EXPECT_THAT(refusal(with("iat", bad)), HasSubstr("missing"))
        << "iat " << boost::json::serialize(bad);
  }
  EXPECT_EQ(refusal(with("exp", kNow + 300.5)), "");
  EXPECT_THAT(refusal(with("exp", kNow - 61.5)), HasSubstr("expired"));
}

TEST(IdTokenTest, AnEmailIsVerifiedOnlyWhenTheProviderSaysSo) {
  auto checked = [](const boost::json::value& p) { return check_id_token(p, expected()).value(); };
  auto unverified = valid();
  unverified.erase("email_verified");
  EXPECT_FALSE(checked(unverified).email_verified) << "absent is not verified";
  unverified["email_verified"] = false;
  EXPECT_FALSE(checked(unverified).email_verified);
  unverified["email_verified"] = "true";  // some providers send a string
  EXPECT_TRUE(checked(unverified).email_verified);
  auto no_email = valid();
  no_email.erase("email");
  EXPECT_FALSE(checked(no_email).email);
  EXPECT_FALSE(checked(no_email).email_verified)
      << "a verified flag without an email counts for nothing";
}

}  // namespace
}  // namespace netra::auth
