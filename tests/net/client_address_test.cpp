// Who a request comes from: the peer, unless it is a trusted proxy naming the client; and the
// key a per-address limit counts it under.
#include "net/client_address.hpp"

#include <gtest/gtest.h>

#include "core/configuration_error.hpp"

namespace netra::net {
namespace {

HttpRequest with_headers(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.headers = std::move(headers);
  return r;
}

TEST(TrustedProxies, WithoutTrustedProxiesThePeerIsTheClientWhateverItsHeadersSay) {
  const TrustedProxies none;
  const auto r = with_headers({{"x-forwarded-for", "203.0.113.9"}, {"forwarded", "for=1.2.3.4"}});
  EXPECT_EQ(none.client_of("198.51.100.7", r), "198.51.100.7");
}

TEST(TrustedProxies, AnUntrustedPeerCannotNameAClient) {
  const auto proxies = TrustedProxies::parse({"10.0.0.0/8"});
  const auto r = with_headers({{"x-forwarded-for", "203.0.113.9"}});
  EXPECT_EQ(proxies.client_of("198.51.100.7", r), "198.51.100.7");
}

TEST(TrustedProxies, ATrustedPeerNamesTheClientAndSpoofedHopsOnTheLeftAreIgnored) {
  const auto proxies = TrustedProxies::parse({"10.0.0.0/8", "fd00::/8"});
  // The client sent "X-Forwarded-For: 6.6.6.6" itself; HAProxy appended the real address.
  const auto r = with_headers({{"x-forwarded-for", "6.6.6.6, 203.0.113.9"}});
  EXPECT_EQ(proxies.client_of("10.1.2.3", r), "203.0.113.9");
  // Two trusted hops in a row are skipped.
  const auto chain = with_headers({{"x-forwarded-for", "203.0.113.9, 10.9.9.9"}});
  EXPECT_EQ(proxies.client_of("10.1.2.3", chain), "203.0.113.9");
  // Header lines are joined in order.
  const auto lines =
      with_headers({{"x-forwarded-for", "6.6.6.6"}, {"x-forwarded-for", "203.0.113.10"}});
  EXPECT_EQ(proxies.client_of("10.1.2.3", lines), "203.0.113.10");
}

TEST(TrustedProxies, ForwardedIsPreferredAndItsFormsParse) {
  const auto proxies = TrustedProxies::parse({"127.0.0.1", "::1"});
  const auto r = with_headers({{"x-forwarded-for", "6.6.6.6"},
                               {"forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43, "
                                             "For=\"[2001:db8:cafe::17]:4711\""}});
  EXPECT_EQ(proxies.client_of("127.0.0.1", r), "2001:db8:cafe::17");
  const auto port = with_headers({{"forwarded", "for=\"192.0.2.61:8080\""}});
  EXPECT_EQ(proxies.client_of("::1", port), "192.0.2.61");
}

TEST(TrustedProxies, AHopThatIsNoAddressStopsAtTheProxyThatReportedIt) {
  const auto proxies = TrustedProxies::parse({"10.0.0.0/8"});
  const auto r = with_headers({{"forwarded", "for=unknown, for=10.2.2.2"}});
  EXPECT_EQ(proxies.client_of("10.1.1.1", r), "10.2.2.2");
  const auto junk = with_headers({{"x-forwarded-for", "<script>"}});
  EXPECT_EQ(proxies.client_of("10.1.1.1", junk), "10.1.1.1");
}

TEST(TrustedProxies, IPv4MappedPeersMatchIPv4Ranges) {
  const auto proxies = TrustedProxies::parse({"127.0.0.0/8"});
  const auto r = with_headers({{"x-forwarded-for", "203.0.113.9"}});
  EXPECT_EQ(proxies.client_of("::ffff:127.0.0.1", r), "203.0.113.9");
}

TEST(TrustedProxies, EntriesThatAreNotCidrsAreConfigurationErrorsNamingEachOne) {
  try {
    TrustedProxies::parse({"10.0.0.0/8", "10.0.0.0/33", "proxy.internal", "::/129"});
    FAIL() << "accepted";
  } catch (const core::ConfigurationError& e) {
    ASSERT_EQ(e.errors().size(), 3u);
    EXPECT_NE(e.errors()[0].find("10.0.0.0/33"), std::string::npos);
    EXPECT_NE(e.errors()[1].find("proxy.internal"), std::string::npos);
  }
}

TEST(RateLimitKey, IPv6CountsBySlash64AndIPv4ByAddress) {
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_limit_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  EXPECT_NE(rate_limit_key("2001:db8:1:3::1"), rate_limit_key("2001:db8:1:2::1"));
  EXPECT_EQ(rate_limit_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(rate_limit_key("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(rate_limit_key("not an address"), "not an address");
}

}  // namespace
}  // namespace netra::net
