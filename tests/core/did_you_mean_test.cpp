// closest_match: the known name a mistyped one most likely meant, if any is close enough.
#include "core/did_you_mean.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace netra::core {
namespace {

const std::vector<std::string> kKeys = {"server.port", "server.host", "database.url",
                                        "database.pool_max", "auth.dev_login"};

TEST(DidYouMean, NamesTheKeyATypoMeant) {
  EXPECT_EQ(closest_match("server.prot", kKeys), "server.port");
  EXPECT_EQ(closest_match("databse.url", kKeys), "database.url");
  EXPECT_EQ(closest_match("database.pool_maxx", kKeys), "database.pool_max");  // one longer
  EXPECT_EQ(closest_match("server.hst", kKeys), "server.host");                // one shorter
  EXPECT_EQ(did_you_mean("server.prot", kKeys), " (did you mean 'server.port'?)");
}

TEST(DidYouMean, NamesNothingForANameFarFromEveryKey) {
  EXPECT_EQ(closest_match("logging.colour", kKeys), std::nullopt);
  EXPECT_EQ(did_you_mean("logging.colour", kKeys), "");
  // A name far longer than any key (as a fuzzer writes) is no key's typo.
  EXPECT_EQ(closest_match(std::string(100000, 's') + "erver.port", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("server.port" + std::string(20, 'x'), kKeys), std::nullopt);
}

}  // namespace
}  // namespace netra::core
