#include "redis/redis_url.hpp"

#include <gtest/gtest.h>

namespace netra::redis {
namespace {

TEST(RedisUrl, AHostPortDatabaseAndCredentialsAreTakenApart) {
  auto e = parse_redis_url("redis://app:s%40cret@cache.internal:6380/3");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->user, "app");
  EXPECT_EQ(e->password, "s@cret");  // percent-decoded
  EXPECT_EQ(e->database, 3);
  EXPECT_FALSE(e->is_unix());
  EXPECT_EQ(e->describe(), "redis at cache.internal:6380, db 3");
}

TEST(RedisUrl, DefaultsArePort6379DatabaseZeroAndNoCredentials) {
  auto e = parse_redis_url("redis://127.0.0.1");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->database, 0);
  EXPECT_TRUE(e->user.empty());
  EXPECT_TRUE(e->password.empty());
}

TEST(RedisUrl, APasswordAloneMeansTheDefaultUser) {
  auto e = parse_redis_url("redis://:only-password@[::1]:7000/");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e->host, "::1");
  EXPECT_TRUE(e->user.empty());
  EXPECT_EQ(e->password, "only-password");
  EXPECT_EQ(e->describe(), "redis at [::1]:7000, db 0");
}

TEST(RedisUrl, AUnixSocketPathIsAccepted) {
  for (const char* text : {"unix:/run/redis/redis.sock", "unix:///run/redis/redis.sock"}) {
    auto e = parse_redis_url(text);
    ASSERT_TRUE(e) << text << ": " << e.error();
    EXPECT_TRUE(e->is_unix());
    EXPECT_EQ(e->socket_path, "/run/redis/redis.sock");
    EXPECT_EQ(e->describe(), "redis at unix:/run/redis/redis.sock, db 0");
  }
}

TEST(RedisUrl, WhatCannotBeUsedIsRefusedWithAReasonThatNeverHoldsThePassword) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"http://:hunter2@host:6379", "unknown scheme 'http'"},
      {"rediss://:hunter2@host:6379", "TLS"},
      {"redis://", "no host"},
      {"redis://hunter2@host", "credentials without a password"},
      {"redis://:hunter2@host:0", "port"},
      {"redis://:hunter2@host:99999", "port"},
      {"redis://:hunter2@host/abc", "database"},
      {"redis://:hunter2@host/-1", "database"},
      {"redis://:hunter2@host/1?timeout=3", "query"},
      {"unix:relative/path", "absolute path"},
      {"not a url at all", "not a URL"},
  };
  for (const auto& [text, reason] : refused) {
    auto e = parse_redis_url(text);
    ASSERT_FALSE(e) << text << " was accepted";
    EXPECT_NE(e.error().find(reason), std::string::npos) << text << ": " << e.error();
    EXPECT_EQ(e.error().find("hunter2"), std::string::npos) << e.error();
  }
}

}  // namespace
}  // namespace netra::redis
