// Revoked logins: refused until their last access token would have expired, listeners told once
// per revocation, bounded.
#include "auth/revoked_sessions.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace netra::auth {
namespace {

TEST(RevokedSessions, ARevokedLoginIsRefusedUntilItsTokensWouldHaveExpired) {
  RevokedSessions revoked;
  const int64_t now = core::unix_seconds_now();
  std::vector<std::string> heard;
  revoked.listen([&](const std::string& sid) { heard.push_back(sid); });
  revoked.revoke("fam_a", now + 900);
  EXPECT_TRUE(revoked.revoked("fam_a", now));
  EXPECT_TRUE(revoked.revoked("fam_a", now + 900));
  EXPECT_FALSE(revoked.revoked("fam_a", now + 901)) << "its tokens have expired by themselves";
  EXPECT_FALSE(revoked.revoked("fam_b", now));
  EXPECT_FALSE(revoked.revoked("", now)) << "a token without a login is never matched";
  EXPECT_EQ(heard, std::vector<std::string>{"fam_a"});
  revoked.revoke("fam_a", now + 100);  // an earlier expiry does not shorten it
  EXPECT_TRUE(revoked.revoked("fam_a", now + 900));
  revoked.revoke("", now + 900);
  EXPECT_EQ(revoked.size(), 1u);
}

TEST(RevokedSessions, BeyondItsBoundTheSoonestToExpireMakesRoom) {
  RevokedSessions revoked(3);
  const int64_t now = core::unix_seconds_now();
  revoked.revoke("fam_late", now + 1000);
  revoked.revoke("fam_soon", now + 10);
  revoked.revoke("fam_mid", now + 500);
  revoked.revoke("fam_new", now + 900);
  EXPECT_EQ(revoked.size(), 3u);
  EXPECT_FALSE(revoked.revoked("fam_soon", now));
  for (const char* kept : {"fam_late", "fam_mid", "fam_new"}) {
    EXPECT_TRUE(revoked.revoked(kept, now)) << kept;
  }
}

TEST(RevokedSessions, ExpiredEntriesLeaveOnTheNextRevocation) {
  RevokedSessions revoked;
  const int64_t now = core::unix_seconds_now();
  revoked.revoke("fam_gone", now - 5);
  revoked.revoke("fam_live", now + 60);
  EXPECT_EQ(revoked.size(), 1u);
}

}  // namespace
}  // namespace netra::auth
