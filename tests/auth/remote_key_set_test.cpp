// RemoteKeySet with a fetch function the test controls (the two-process test in
// tests/app/auth_split_test.cpp covers the real HTTP fetch): lazy first fetch, refresh on an
// unknown kid at most once per interval, no keys → unavailable, one fetch for concurrent callers.
#include "auth/remote_key_set.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include "core/event_loops.hpp"
#include "support/manual_clock.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono_literals;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct RemoteKeySetTest : ::testing::Test {
  RemoteKeySetTest() : loops(2, 10ms) {
    loops.start();
    options.verifier = VerifierOptions{"netra", "netra-api"};
    options.refresh_interval = 5000ms;
    options.retry_interval = 1000ms;
  }
  ~RemoteKeySetTest() override { loops.stop(1s); }

  // Serves `published` as the JWKS, or fails while `up` is false; counts calls.
  RemoteKeySet::Fetch fetch() {
    return [this](core::Deadline) -> asio::awaitable<core::Result<nlohmann::json, std::string>> {
      fetches.fetch_add(1);
      if (fetch_delay.count() > 0) {
        asio::steady_timer t(co_await asio::this_coro::executor, fetch_delay);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (!up) co_return std::string("connection refused");
      nlohmann::json keys = nlohmann::json::array();
      for (const auto& k : published) keys.push_back(k->public_jwk());
      co_return nlohmann::json{{"keys", keys}};
    };
  }
  std::string token(const SigningKey& key) const {
    const int64_t now = now_seconds();
    return issue_token(key, Claims{"usr_1", "netra", "netra-api", "jti", now, now, now + 900,
                                   TokenType::access, ""});
  }
  core::Result<Claims, JwtError> verify(RemoteKeySet& keys, const std::string& t, size_t loop = 0) {
    return asio::co_spawn(loops.context(loop), keys.verify_access(t), asio::use_future).get();
  }

  core::EventLoops loops;
  RemoteKeySetOptions options;
  testing::ManualClock clock;
  std::atomic<int> fetches{0};
  std::atomic<bool> up{true};
  std::chrono::milliseconds fetch_delay{0};
  std::vector<std::shared_ptr<SigningKey>> published{
      std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::rs256))};
};

TEST_F(RemoteKeySetTest, NothingIsFetchedUntilATokenNeedsIt) {
  RemoteKeySet keys(options, fetch(), clock);
  EXPECT_EQ(fetches.load(), 0);
  auto r = verify(keys, token(*published[0]));
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->subject, "usr_1");
  EXPECT_EQ(fetches.load(), 1);
  ASSERT_TRUE(verify(keys, token(*published[0])));
  EXPECT_EQ(fetches.load(), 1) << "cached keys: no fetch per request";
  EXPECT_EQ(keys.status().keys, 1u);
}

TEST_F(RemoteKeySetTest, WithoutKeysItIsUnavailableAndRetriesAtMostOncePerInterval) {
  up = false;
  RemoteKeySet keys(options, fetch(), clock);
  auto r = verify(keys, token(*published[0]));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().no_keys) << "503, not 401";
  EXPECT_EQ(keys.status().failed_fetches, 1u);
  EXPECT_EQ(keys.status().last_error, "connection refused");
  ASSERT_FALSE(verify(keys, token(*published[0])));
  EXPECT_EQ(fetches.load(), 1) << "within the retry interval";
  up = true;
  clock.advance(1001ms);
  EXPECT_TRUE(verify(keys, token(*published[0]))) << "the auth service came up: no restart";
  EXPECT_EQ(fetches.load(), 2);
}

TEST_F(RemoteKeySetTest, AnUnknownKidRefreshesOncePerInterval) {
  RemoteKeySet keys(options, fetch(), clock);
  ASSERT_TRUE(verify(keys, token(*published[0])));
  // The auth service rotates: a new key signs, the old one is still published.
  auto rotated = std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::eddsa));
  published.push_back(rotated);
  auto too_soon = verify(keys, token(*rotated));
  ASSERT_FALSE(too_soon) << "within the refresh interval the set is not fetched again";
  EXPECT_TRUE(too_soon.error().unknown_key);
  EXPECT_FALSE(too_soon.error().no_keys);
  EXPECT_EQ(fetches.load(), 1);
  clock.advance(5001ms);
  EXPECT_TRUE(verify(keys, token(*rotated)));
  EXPECT_TRUE(verify(keys, token(*published[0]))) << "the old key still verifies";
  EXPECT_EQ(fetches.load(), 2);
  // Forged kids cannot turn into a stream of fetches.
  auto stranger = SigningKey::generate(KeyAlgorithm::rs256);
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(verify(keys, token(stranger)));
  EXPECT_EQ(fetches.load(), 2);
}

TEST_F(RemoteKeySetTest, ABadTokenWithKnownKeysFetchesNothing) {
  RemoteKeySet keys(options, fetch(), clock);
  ASSERT_TRUE(verify(keys, token(*published[0])));
  clock.advance(60s);
  auto t = token(*published[0]);
  t.back() = t.back() == 'A' ? 'B' : 'A';
  auto r = verify(keys, t);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().no_keys);
  EXPECT_EQ(fetches.load(), 1);
}

TEST_F(RemoteKeySetTest, ConcurrentFirstTokensShareOneFetch) {
  fetch_delay = 100ms;
  RemoteKeySet keys(options, fetch(), clock);
  const auto t = token(*published[0]);
  std::vector<std::future<core::Result<Claims, JwtError>>> calls;
  for (size_t i = 0; i < 8; ++i) {
    calls.push_back(asio::co_spawn(loops.context(i % 2), keys.verify_access(t), asio::use_future));
  }
  for (auto& c : calls) {
    ASSERT_EQ(c.wait_for(2s), std::future_status::ready);
    EXPECT_TRUE(c.get());
  }
  EXPECT_EQ(fetches.load(), 1);
}

TEST_F(RemoteKeySetTest, AJwksWithoutUsableKeysIsAFailedFetch) {
  std::string skipped;
  auto keys = RemoteKeySet::parse_jwks(
      nlohmann::json{{"keys", {{{"kty", "oct"}, {"kid", "x"}}, published[0]->public_jwk()}}},
      &skipped);
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_NE(skipped.find("oct"), std::string::npos);
  EXPECT_TRUE(RemoteKeySet::parse_jwks(nlohmann::json::array()).empty());
  EXPECT_TRUE(RemoteKeySet::parse_jwks(nlohmann::json{{"keys", "no"}}).empty());
}

}  // namespace
}  // namespace netra::auth
