// HttpUrl: what the HTTP client takes from a URL — host, port, request target, origin, Host.
#include "net/http_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace netra::testing {
namespace {

TEST(HttpClientUrl, TakesApartWhatTheClientSends) {
  auto plain = net::parse_http_url("http://Auth.Internal/.well-known/jwks.json");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->host, "auth.internal");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/.well-known/jwks.json");
  EXPECT_EQ(plain->host_header, "auth.internal");
  EXPECT_EQ(plain->origin, "auth.internal:80");

  auto clickhouse = net::parse_http_url("HTTP://10.0.0.5:8123?query=SELECT%201#frag");
  ASSERT_TRUE(clickhouse) << clickhouse.error();
  EXPECT_EQ(clickhouse->port, 8123);
  EXPECT_EQ(clickhouse->target, "/?query=SELECT%201");
  EXPECT_EQ(clickhouse->path(), "/");
  EXPECT_EQ(clickhouse->host_header, "10.0.0.5:8123");

  auto v6 = net::parse_http_url("http://[::1]:8000/v1/chat/completions");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->origin, "[::1]:8000");
  EXPECT_EQ(v6->target, "/v1/chat/completions");
  EXPECT_FALSE(v6->tls);
}

TEST(HttpClientUrl, HttpsDefaultsToPort443AndNamesItOnlyWhenItDiffers) {
  auto openai = net::parse_http_url("https://API.openai.com/v1/chat/completions");
  ASSERT_TRUE(openai) << openai.error();
  EXPECT_TRUE(openai->tls);
  EXPECT_EQ(openai->host, "api.openai.com");
  EXPECT_EQ(openai->port, 443);
  EXPECT_EQ(openai->host_header, "api.openai.com");
  EXPECT_EQ(openai->target, "/v1/chat/completions");

  auto own_port = net::parse_http_url("https://clickhouse.internal:8443/");
  ASSERT_TRUE(own_port) << own_port.error();
  EXPECT_EQ(own_port->port, 8443);
  EXPECT_EQ(own_port->host_header, "clickhouse.internal:8443");
  // Port 80 is not the default of https: the Host header names it.
  auto eighty = net::parse_http_url("https://proxy:80/");
  ASSERT_TRUE(eighty) << eighty.error();
  EXPECT_EQ(eighty->host_header, "proxy:80");
}

TEST(HttpClientUrl, SaysWhyAUrlIsRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://files/", "unsupported scheme 'ftp'"},
      {"localhost:8123/", "not an absolute URL"},
      {"http://default:pw@clickhouse:8123/", "credentials in the URL"},
      {"http://:8123/", "no host"},
      {"http://clickhouse:0/", "out of range"},
      {"http://clickhouse:81x/", "not a number"},
      {"http://[fe80::zz]:1/", "not an IPv6 address"},
      {"http://clickhouse/?query=SELECT 1", "percent-encode"},
  };
  for (const auto& [url, reason] : cases) {
    auto parsed = net::parse_http_url(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_THAT(parsed.error(), ::testing::HasSubstr(reason)) << url;
  }
}

}  // namespace
}  // namespace netra::testing
