// Accounts, refresh tokens and API keys in the real schema, on SQLite and (when given) PostgreSQL.
#include "auth/user_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "auth/api_key_store.hpp"
#include "auth/api_key_verifier.hpp"
#include "auth/token_hash.hpp"
#include "core/event_loops.hpp"
#include "core/id.hpp"
#include "core/offload_pool.hpp"
#include "support/manual_clock.hpp"
#include "support/migrated_database.hpp"
#include "support/run_awaitable.hpp"
#include "support/test_servers.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> backends() {
  std::vector<std::string> out{"sqlite"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  return out;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    loops_.start();
    // Migrations of its own, whatever other suites do.
    database_.emplace(GetParam(), dir_, "auth", offload_, loops_);
    db_ = &database_->db();
  }
  void TearDown() override {
    db_->close_idle();
    database_.reset();
    offload_.shutdown(1s);
    loops_.stop(1s);
  }
  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 20s);
  }
  static core::Deadline deadline() { return core::Deadline::after(5s); }
  static std::string unique_email() { return core::make_id("u") + "@example.com"; }

  testing::TempDir dir_;
  core::EventLoops loops_{1, 10ms};
  core::OffloadPool offload_{2};
  std::optional<testing::MigratedDatabase> database_;
  db::Database* db_ = nullptr;  // database_'s
};

TEST_P(StoreTest, CreatesAndFindsUsersAndRefusesATakenEmail) {
  UserStore users(*db_);
  const auto email = unique_email();
  auto created = run(users.create(email, "$argon2id$hash", deadline()));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->id.rfind("usr_", 0), 0u);
  auto by_email = run(users.find_by_email(email, deadline()));
  ASSERT_TRUE(by_email && by_email->has_value());
  EXPECT_EQ((*by_email)->id, created->id);
  auto by_id = run(users.find_by_id(created->id, deadline()));
  ASSERT_TRUE(by_id && by_id->has_value());
  EXPECT_EQ((*by_id)->email, email);
  auto taken = run(users.create(email, "$argon2id$other", deadline()));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, db::DbErrorCode::constraint);
  auto missing = run(users.find_by_email("nobody-" + unique_email(), deadline()));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

RefreshTokenRecord token_of(const User& user, const std::string& family,
                            std::optional<std::string> parent, int64_t issued_at) {
  return RefreshTokenRecord{core::make_id("rt"),   user.id,   family,           std::move(parent),
                            core::make_id("hash"), issued_at, issued_at + 1000, std::nullopt,
                            std::nullopt};
}

TEST_P(StoreTest, ARefreshTokenIsUsedOnceAndItsFamilyRevokedTogether) {
  UserStore users(*db_);
  RefreshTokenStore tokens(*db_);
  auto user = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(user);
  const auto family = core::make_id("fam");
  const auto first = token_of(*user, family, std::nullopt, 1000);
  const auto second = token_of(*user, family, first.id, 1100);
  ASSERT_TRUE(run(tokens.start_family(first, deadline())));
  auto found = run(tokens.find_by_hash(first.token_hash, deadline()));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->family_id, family);
  EXPECT_FALSE((*found)->parent_id.has_value());
  EXPECT_EQ(*run(tokens.rotate(first.id, second, 1500, deadline())), RefreshOutcome::rotated);
  auto child = run(tokens.find_by_hash(second.token_hash, deadline()));
  ASSERT_TRUE(child && child->has_value()) << "the child is stored by the rotation";
  EXPECT_EQ((*child)->parent_id, first.id);

  // Using the first token again is a reuse: the family is revoked, the live child with it, and
  // the reused token's would-be child is not stored.
  const auto stolen = token_of(*user, family, first.id, 1501);
  EXPECT_EQ(*run(tokens.rotate(first.id, stolen, 1501, deadline())), RefreshOutcome::reused);
  EXPECT_FALSE(run(tokens.find_by_hash(stolen.token_hash, deadline()))->has_value());
  auto revoked = run(tokens.find_by_hash(second.token_hash, deadline()));
  EXPECT_EQ((*revoked)->revoked_at, 1501);
  const auto third = token_of(*user, family, second.id, 1700);
  EXPECT_EQ(*run(tokens.rotate(second.id, third, 1700, deadline())), RefreshOutcome::revoked)
      << "a revoked family's tokens cannot be used";
  EXPECT_FALSE(run(tokens.find_by_hash(third.token_hash, deadline()))->has_value());
  EXPECT_EQ(*run(tokens.revoke_family(family, 1800, deadline())), 0) << "nothing left live";
}

TEST_P(StoreTest, OnlyTokensExpiredBeforeTheCutOffArePurgedAndInBatches) {
  UserStore users(*db_);
  RefreshTokenStore tokens(*db_);
  auto user = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(user);
  const auto family = core::make_id("fam");
  // Expiring at 2000, 2100, 2200 (issued 1000, 1100, 1200, each for 1000 ms).
  const auto old = token_of(*user, family, std::nullopt, 1000);
  ASSERT_TRUE(run(tokens.start_family(old, deadline())));
  const auto older_child = token_of(*user, family, old.id, 1100);
  ASSERT_EQ(*run(tokens.rotate(old.id, older_child, 1100, deadline())), RefreshOutcome::rotated);
  const auto live = token_of(*user, family, older_child.id, 1200);
  ASSERT_EQ(*run(tokens.rotate(older_child.id, live, 1200, deadline())), RefreshOutcome::rotated);
  EXPECT_EQ(*run(tokens.purge_expired(2150, 1, deadline())), 1) << "one per batch";
  EXPECT_EQ(*run(tokens.purge_expired(2150, 10, deadline())), 1);
  EXPECT_EQ(*run(tokens.purge_expired(2150, 10, deadline())), 0);
  EXPECT_FALSE(run(tokens.find_by_hash(old.token_hash, deadline()))->has_value());
  EXPECT_TRUE(run(tokens.find_by_hash(live.token_hash, deadline()))->has_value())
      << "expiring after the cut-off: kept";
}

// One round of the race: `first` is refreshed by `refreshes` callers at once (a thief and, with
// two, the victim replaying it) while its family is logged out. What each refresh answered.
boost::asio::awaitable<std::vector<RefreshOutcome>> race_round(
    RefreshTokenStore& tokens, const RefreshTokenRecord& first,
    const std::vector<RefreshTokenRecord>& children, core::Deadline deadline) {
  using boost::asio::deferred;
  auto ex = co_await boost::asio::this_coro::executor;
  std::vector<RefreshOutcome> answers(children.size(), RefreshOutcome::revoked);
  bool failed = false;
  auto refresh = [&](size_t i) -> boost::asio::awaitable<void> {
    auto answer = co_await tokens.rotate(first.id, children[i], 3000, deadline);
    if (answer)
      answers[i] = *answer;
    else
      failed = true;
  };
  auto logout = [&]() -> boost::asio::awaitable<void> {
    if (!co_await tokens.revoke_family(first.family_id, 3000, deadline)) failed = true;
  };
  // Every call is in flight before any is awaited: each is its own transaction on its own
  // connection, and the database decides their order.
  std::vector<decltype(boost::asio::co_spawn(ex, logout(), deferred))> calls;
  for (size_t i = 0; i < children.size(); ++i)
    calls.push_back(boost::asio::co_spawn(ex, refresh(i), deferred));
  calls.push_back(boost::asio::co_spawn(ex, logout(), deferred));
  auto group = boost::asio::experimental::make_parallel_group(std::move(calls));
  co_await group.async_wait(boost::asio::experimental::wait_for_all(), deferred);
  if (failed) throw std::runtime_error("a call of the race failed");
  co_return answers;
}

TEST_P(StoreTest, RefreshReplayAndLogoutRacingLeaveNoLiveTokenInARevokedFamily) {
  // A refresh races a logout (and, every other round, a replay of the same token by its
  // victim), many times over: whatever order the database puts them in, a child that a refresh
  // stored is revoked with its family, at most one refresh of a token succeeds, and a revoked
  // family keeps no live token.
  UserStore users(*db_);
  RefreshTokenStore tokens(*db_);
  auto user = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(user);
  constexpr int kRounds = 80;
  int refreshed_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto family = core::make_id("fam");
    const auto first = token_of(*user, family, std::nullopt, 1000 + round);
    ASSERT_TRUE(run(tokens.start_family(first, deadline())));
    std::vector<RefreshTokenRecord> children{token_of(*user, family, first.id, 2000)};
    if (round % 2 == 1) children.push_back(token_of(*user, family, first.id, 2000));
    const auto answers = run(race_round(tokens, first, children, deadline()));
    const auto refreshed = std::count(answers.begin(), answers.end(), RefreshOutcome::rotated);
    EXPECT_LE(refreshed, 1) << "one token refreshed twice in round " << round;
    refreshed_rounds += static_cast<int>(refreshed);
    // After the logout nothing of the family can be refreshed, whichever child exists.
    for (const auto& child : children) {
      auto stored = run(tokens.find_by_hash(child.token_hash, deadline()));
      ASSERT_TRUE(stored);
      if (!stored->has_value()) continue;
      EXPECT_TRUE((*stored)->revoked_at.has_value())
          << "a child stored by a refresh outlived the logout in round " << round;
      const auto grandchild = token_of(*user, family, child.id, 4000);
      EXPECT_EQ(*run(tokens.rotate(child.id, grandchild, 4000, deadline())),
                RefreshOutcome::revoked);
    }
  }
  auto live = run(db_->query(
      "SELECT count(*) FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id "
      "WHERE f.revoked_at IS NOT NULL AND t.revoked_at IS NULL AND t.used_at IS NULL",
      {}, deadline()));
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_EQ(live->rows[0].int64(0), 0) << "live tokens in revoked families";
  RecordProperty("rounds_with_a_refresh", refreshed_rounds);
}

TEST_P(StoreTest, AnApiKeyIsStoredOnlyAsItsHashAndFoundByIt) {
  UserStore users(*db_);
  ApiKeyStore keys(*db_);
  auto owner = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(owner);
  auto made =
      run(keys.create(owner->id, "ingest from prod", {"read", "ingest", "read"}, 20, deadline()));
  ASSERT_TRUE(made && made->has_value()) << (made ? "" : made.error().message);
  const auto& created = **made;
  EXPECT_EQ(created.secret.rfind("nk_", 0), 0u);
  EXPECT_EQ(created.secret.size(), 3u + 43u);  // 256 bits in base64url
  EXPECT_EQ(created.key.prefix, created.secret.substr(0, 11));
  EXPECT_EQ(created.key.scopes, (std::vector<std::string>{"ingest", "read"}));
  EXPECT_EQ(created.key.id.rfind("key_", 0), 0u);

  // No column holds the key; the hash column holds its SHA-256.
  auto row = run(db_->query("SELECT * FROM api_keys", {}, deadline()));
  ASSERT_TRUE(row);
  ASSERT_EQ(row->rows.size(), 1u);
  for (size_t c = 0; c < row->columns.size(); ++c) {
    const auto value = row->rows[0].optional_text(c).value_or("");
    EXPECT_EQ(value.find(created.secret.substr(11)), std::string::npos) << row->columns[c];
  }
  EXPECT_EQ(row->rows[0].text(row->column("key_hash")), token_hash(created.secret));

  auto found = run(keys.find_by_hash(token_hash(created.secret), deadline()));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, created.key.id);
  EXPECT_EQ((*found)->user_id, owner->id);
  EXPECT_TRUE((*found)->allows("ingest"));
  EXPECT_FALSE((*found)->allows("agent"));
  EXPECT_FALSE((*found)->last_used_at.has_value());
  // One character changed is another key: nothing.
  auto altered = created.secret;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  auto none = run(keys.find_by_hash(token_hash(altered), deadline()));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(run(keys.touch(created.key.id, 1'700'000'000'000, deadline())));
  auto touched = run(keys.find_by_hash(token_hash(created.secret), deadline()));
  ASSERT_TRUE(touched && touched->has_value());
  EXPECT_EQ((*touched)->last_used_at, 1'700'000'000'000);
}

TEST_P(StoreTest, ApiKeysBelongToTheirOwnerAndADeletedKeyIsGone) {
  UserStore users(*db_);
  ApiKeyStore keys(*db_);
  auto owner = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  auto other = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(owner && other);
  auto first = run(keys.create(owner->id, "first", {"read"}, 2, deadline()));
  auto second = run(keys.create(owner->id, "second", {"agent"}, 2, deadline()));
  ASSERT_TRUE(first && first->has_value() && second && second->has_value());
  // At the limit: nothing is made.
  auto third = run(keys.create(owner->id, "third", {"read"}, 2, deadline()));
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->has_value());
  // Another user's limit is their own.
  auto theirs = run(keys.create(other->id, "theirs", {"ingest"}, 2, deadline()));
  ASSERT_TRUE(theirs && theirs->has_value());

  auto listed = run(keys.list(owner->id, deadline()));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& key : *listed) EXPECT_EQ(key.user_id, owner->id);

  // Deleting by another owner does nothing; by the owner, the key is gone for good.
  const auto id = (*first)->key.id;
  auto not_theirs = run(keys.remove(other->id, id, deadline()));
  ASSERT_TRUE(not_theirs);
  EXPECT_FALSE(*not_theirs);
  auto removed = run(keys.remove(owner->id, id, deadline()));
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  auto gone = run(keys.find_by_hash(token_hash((*first)->secret), deadline()));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto again = run(keys.remove(owner->id, id, deadline()));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto left = run(keys.list(owner->id, deadline()));
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().name, "second");
}

TEST_P(StoreTest, AVerifiedKeyIsRememberedUntilRevokedOrStale) {
  UserStore users(*db_);
  RevokedSessions revoked;
  testing::ManualClock clock;
  auto verifier = std::make_shared<ApiKeyVerifier>(*db_, revoked, 1000,
                                                   std::weak_ptr<redis::RedisClient>{}, clock);
  auto owner = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(owner);
  using Kind = ApiKeyVerifier::Verdict::Kind;
  auto make = [&] {
    auto made = run(verifier->store().create(owner->id, "k", {"read"}, 20, deadline()));
    EXPECT_TRUE(made && made->has_value());
    return **made;
  };

  // Deleted behind the verifier's back (another instance, no Redis between them): remembered for
  // kCacheTtl, then looked up again and not found.
  const auto first = make();
  EXPECT_EQ(run(verifier->verify(first.secret)).kind, Kind::ok);
  ASSERT_TRUE(run(verifier->store().remove(owner->id, first.key.id, deadline())));
  EXPECT_EQ(run(verifier->verify(first.secret)).kind, Kind::ok);
  clock.advance(ApiKeyVerifier::kCacheTtl + std::chrono::seconds(1));
  EXPECT_EQ(run(verifier->verify(first.secret)).kind, Kind::unknown);

  // Deleted on another instance that told this one (SharedRevocations): refused at once.
  const auto second = make();
  EXPECT_EQ(run(verifier->verify(second.secret)).kind, Kind::ok);
  ASSERT_TRUE(run(verifier->store().remove(owner->id, second.key.id, deadline())));
  revoked.apply_shared(second.key.id, core::unix_seconds_now() + 60);
  EXPECT_EQ(run(verifier->verify(second.secret)).kind, Kind::unknown);

  // Deleted through this verifier: refused at once, and the revocation is there to be shared.
  const auto third = make();
  EXPECT_EQ(run(verifier->verify(third.secret)).kind, Kind::ok);
  auto removed = run(verifier->remove(owner->id, third.key.id, deadline()));
  ASSERT_TRUE(removed && *removed);
  EXPECT_TRUE(revoked.revoked(third.key.id, core::unix_seconds_now()));
  EXPECT_EQ(run(verifier->verify(third.secret)).kind, Kind::unknown);
  // Another user cannot delete a key, nor revoke it by trying.
  const auto fourth = make();
  auto not_theirs = run(verifier->remove("usr_someone_else", fourth.key.id, deadline()));
  ASSERT_TRUE(not_theirs);
  EXPECT_FALSE(*not_theirs);
  EXPECT_FALSE(revoked.revoked(fourth.key.id, core::unix_seconds_now()));
  EXPECT_EQ(run(verifier->verify(fourth.secret)).kind, Kind::ok);

  // verify() writes a key's last use in the background, each write holding the verifier: wait
  // for them, or the fixture tears the database and the loops down under the last one (ASan saw
  // its offloaded query complete into a freed event loop).
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (verifier.use_count() > 1 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(verifier.use_count(), 1) << "a last-use write still running after 10 s";
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return info.param; });

TEST(Id, IsPrefixedUrlSafeAndUnique) {
  const auto a = core::make_id("thr");
  const auto b = core::make_id("thr");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 4u + 22u);
  EXPECT_EQ(a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
            std::string::npos);
}

}  // namespace
}  // namespace netra::auth
