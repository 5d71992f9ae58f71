// Accounts and refresh tokens in the real schema, on SQLite and (when given) PostgreSQL.
#include "auth/user_store.hpp"

#include <gtest/gtest.h>

#include "core/event_loops.hpp"
#include "core/id.hpp"
#include "core/offload_pool.hpp"
#include "db/database_settings.hpp"
#include "db/detail/driver.hpp"
#include "db/migrations.hpp"
#include "support/run_awaitable.hpp"
#include "support/scratch_postgres_database.hpp"
#include "support/temp_dir.hpp"
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
    db::DatabaseSettings settings;
    if (GetParam() == "sqlite") {
      settings.url = "sqlite:" + dir_.file("auth.db");
    } else {
      scratch_.emplace("netra_auth");  // migrations of its own, whatever other suites do
      settings.url = scratch_->url();
    }
    db_ = std::make_unique<db::Database>(db::make_driver(settings, offload_), settings.pool);
    auto migrated = run(db::apply_migrations(*db_, db::embedded_migrations(), deadline()));
    ASSERT_TRUE(migrated) << migrated.error().message;
  }
  void TearDown() override {
    db_->close_idle();
    db_.reset();
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
  std::optional<testing::ScratchPostgresDatabase> scratch_;  // outlives db_
  std::unique_ptr<db::Database> db_;
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

TEST_P(StoreTest, ARefreshTokenIsUsedOnceAndItsFamilyRevokedTogether) {
  UserStore users(*db_);
  RefreshTokenStore tokens(*db_);
  auto user = run(users.create(unique_email(), "$argon2id$hash", deadline()));
  ASSERT_TRUE(user);
  const auto family = core::make_id("fam");
  RefreshTokenRecord first{core::make_id("rt"),   user->id, family, std::nullopt,
                           core::make_id("hash"), 1000,     2000,   std::nullopt,
                           std::nullopt};
  RefreshTokenRecord second{core::make_id("rt"),   user->id, family, first.id,
                            core::make_id("hash"), 1100,     2100,   std::nullopt,
                            std::nullopt};
  ASSERT_TRUE(run(tokens.insert(first, deadline())));
  ASSERT_TRUE(run(tokens.insert(second, deadline())));
  auto found = run(tokens.find_by_hash(first.token_hash, deadline()));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->family_id, family);
  EXPECT_FALSE((*found)->parent_id.has_value());
  EXPECT_TRUE(*run(tokens.mark_used(first.id, 1500, deadline())));
  EXPECT_FALSE(*run(tokens.mark_used(first.id, 1501, deadline()))) << "a second use is detected";
  EXPECT_EQ(*run(tokens.revoke_family(family, 1600, deadline())), 2);
  EXPECT_FALSE(*run(tokens.mark_used(second.id, 1700, deadline())))
      << "revoked tokens cannot be used";
  auto revoked = run(tokens.find_by_hash(second.token_hash, deadline()));
  EXPECT_EQ((*revoked)->revoked_at, 1600);
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
