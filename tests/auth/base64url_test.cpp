// base64url without padding, as JWTs carry it: every length round-trips, and text an encoder
// could not have produced is refused.
#include "auth/base64url.hpp"

#include <gtest/gtest.h>

namespace netra::auth {
namespace {

TEST(Base64Url, EveryLengthAndByteRoundTrips) {
  std::string bytes;
  for (int length = 0; length < 70; ++length) {
    const auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    const auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded) << "length " << length;
    EXPECT_EQ(*decoded, bytes) << "length " << length;
    bytes.push_back(static_cast<char>((length * 37 + 251) & 0xff));
  }
}

TEST(Base64Url, KnownVectors) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*base64url_decode("eyJhbGciOiJSUzI1NiJ9"), "{\"alg\":\"RS256\"}");
}

TEST(Base64Url, RefusesWhatNoEncoderWrites) {
  EXPECT_FALSE(base64url_decode("abcde"));  // a length of 4n+1
  EXPECT_FALSE(base64url_decode("ab+/"));   // the standard alphabet
  EXPECT_FALSE(base64url_decode("YQ=="));   // padding
  EXPECT_FALSE(base64url_decode("YR"));     // leftover bits set ("YQ" is "a")
  EXPECT_FALSE(base64url_decode("YWJ"));    // leftover bits set ("YWI" is "ab")
  EXPECT_FALSE(base64url_decode(std::string_view("YW\0j", 4)));
  EXPECT_TRUE(base64url_decode("YQ"));
  EXPECT_TRUE(base64url_decode("YWI"));
}

}  // namespace
}  // namespace netra::auth
