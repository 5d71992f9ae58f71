// Accounts and token rotation end to end on the real schema (SQLite; PostgreSQL when given).
#include "auth/auth_service.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "core/event_loops.hpp"
#include "core/id.hpp"
#include "core/offload_pool.hpp"
#include "support/migrated_database.hpp"
#include "support/run_awaitable.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono_literals;

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loops_.start();
    database_.emplace("sqlite", dir_, "auth", offload_, loops_);
    db_ = &database_->db();
    // The smallest argon2id limits: the tests check behaviour, not hashing cost.
    hasher_ = std::make_unique<PasswordHasher>(
        offload_, PasswordLimits{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN});
    key_ = std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::rs256));
    service_ = std::make_unique<AuthService>(AuthSettings{}, KeyRing{key_, {}, {}}, *db_, *hasher_);
  }
  void TearDown() override {
    service_.reset();
    db_->close_idle();
    database_.reset();
    offload_.shutdown(1s);
    loops_.stop(1s);
  }
  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 20s);
  }

  testing::TempDir dir_;
  core::EventLoops loops_{1, 10ms};
  core::OffloadPool offload_{2};
  std::optional<testing::MigratedDatabase> database_;
  db::Database* db_ = nullptr;  // database_'s
  std::unique_ptr<PasswordHasher> hasher_;
  std::shared_ptr<SigningKey> key_;
  std::unique_ptr<AuthService> service_;
};

TEST(NormalizeEmail, TrimsLowercasesTheDomainAndRefusesNonsense) {
  EXPECT_EQ(normalize_email("  Ada.Lovelace@Example.COM \n"), "Ada.Lovelace@example.com");
  EXPECT_FALSE(normalize_email("no-at-sign"));
  EXPECT_FALSE(normalize_email("@example.com"));
  EXPECT_FALSE(normalize_email("a@nodot"));
  EXPECT_FALSE(normalize_email("a b@example.com"));
}

TEST_F(AuthServiceTest, RegisterValidatesAndRefusesATakenEmail) {
  auto short_password = run(service_->register_user("a@example.com", "short"));
  ASSERT_FALSE(short_password);
  EXPECT_EQ(short_password.error().field, "password");
  auto bad_email = run(service_->register_user("not-an-email", "long enough password"));
  ASSERT_FALSE(bad_email);
  EXPECT_EQ(bad_email.error().field, "email");
  auto created = run(service_->register_user(" a@Example.com ", "long enough password"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->email, "a@example.com");
  auto again = run(service_->register_user("a@EXAMPLE.com", "another long password"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, AuthErrorCode::email_taken);
}

TEST_F(AuthServiceTest, WrongEmailAndWrongPasswordGetTheSameAnswer) {
  ASSERT_TRUE(run(service_->register_user("b@example.com", "long enough password")));
  auto wrong_password = run(service_->login("b@example.com", "not the password"));
  auto wrong_email = run(service_->login("nobody@example.com", "long enough password"));
  ASSERT_FALSE(wrong_password);
  ASSERT_FALSE(wrong_email);
  EXPECT_EQ(wrong_password.error().code, AuthErrorCode::invalid_credentials);
  EXPECT_EQ(wrong_email.error().code, wrong_password.error().code);
  EXPECT_EQ(wrong_email.error().message, wrong_password.error().message);
}

TEST_F(AuthServiceTest, LoginIssuesTokensThatVerifyLocally) {
  auto user = run(service_->register_user("c@example.com", "long enough password"));
  auto pair = run(service_->login("c@example.com", "long enough password"));
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->expires_in, 900);
  auto claims = service_->verify_access(pair->access_token);
  ASSERT_TRUE(claims) << claims.error().reason;
  EXPECT_EQ(claims->subject, user->id);
  EXPECT_FALSE(service_->verify_access(pair->refresh_token))
      << "a refresh token is not an access token";
  EXPECT_EQ(service_->jwks()["keys"][0]["kid"], key_->kid());
}

TEST_F(AuthServiceTest, RefreshRotatesAndAReusedTokenRevokesTheFamily) {
  ASSERT_TRUE(run(service_->register_user("d@example.com", "long enough password")));
  auto first = run(service_->login("d@example.com", "long enough password"));
  ASSERT_TRUE(first);
  auto second = run(service_->refresh(first->refresh_token));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(second->refresh_token, first->refresh_token);
  // The first token again: stolen. The whole family ends, the newest token included.
  auto replay = run(service_->refresh(first->refresh_token));
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, AuthErrorCode::invalid_token);
  auto newest = run(service_->refresh(second->refresh_token));
  EXPECT_FALSE(newest) << "reuse must revoke every token of the login";
}

TEST_F(AuthServiceTest, LogoutRevokesTheFamily) {
  ASSERT_TRUE(run(service_->register_user("e@example.com", "long enough password")));
  auto pair = run(service_->login("e@example.com", "long enough password"));
  ASSERT_TRUE(run(service_->logout(pair->refresh_token)));
  EXPECT_FALSE(run(service_->refresh(pair->refresh_token)));
}

}  // namespace
}  // namespace netra::auth
