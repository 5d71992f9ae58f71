// The one reading of a Bearer credential, for HTTP routes, the WebSocket handshake and the
// administrator's token: they used to disagree on an empty token and on the scheme's case.
#include "net/bearer_token.hpp"

#include <gtest/gtest.h>

namespace netra::net {
namespace {

TEST(BearerToken, ReadsTheTokenOfABearerCredential) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("bearer abc"), "abc") << "the scheme is case-insensitive (RFC 7235)";
  EXPECT_EQ(bearer_token("BEARER   abc  "), "abc");
}

TEST(BearerToken, RefusesOtherSchemesAndEmptyTokens) {
  for (const char* header : {"", "Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz",
                             "Bearerabc", "Token abc", " Bearer abc"}) {
    EXPECT_EQ(bearer_token(header), std::nullopt) << "'" << header << "'";
  }
}

}  // namespace
}  // namespace netra::net
