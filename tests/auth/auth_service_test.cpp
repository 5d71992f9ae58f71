// Accounts and token rotation end to end on the real schema (SQLite; PostgreSQL when given).
#include "auth/auth_service.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

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

TEST_F(AuthServiceTest, WhileItsKeyIsBeingMadeALoginWaitsForItAndThenSignsWithIt) {
  ASSERT_TRUE(run(service_->register_user("f@example.com", "long enough password")));
  // A service whose ring has no signing key yet, as on a first start.
  AuthService waiting(AuthSettings{}, KeyRing{}, *db_, *hasher_);
  EXPECT_TRUE(waiting.jwks()["keys"].empty());
  auto login = boost::asio::co_spawn(loops_.context(0),
                                     waiting.login("f@example.com", "long enough password"),
                                     boost::asio::use_future);
  std::this_thread::sleep_for(100ms);  // the password is checked by now; the key is awaited
  EXPECT_EQ(login.wait_for(0s), std::future_status::timeout) << "it did not wait for the key";
  waiting.install_keys(KeyRing{key_, {}, {}});
  ASSERT_EQ(login.wait_for(10s), std::future_status::ready);
  auto pair = login.get();
  ASSERT_TRUE(pair) << pair.error().message;
  EXPECT_TRUE(waiting.verify_access(pair->access_token));
  EXPECT_TRUE(service_->verify_access(pair->access_token)) << "signed with the installed key";
  EXPECT_EQ(waiting.jwks()["keys"][0]["kid"], key_->kid());
}

TEST_F(AuthServiceTest, AKeyThatCouldNotBeMadeIsALoginsServiceUnavailableWithTheReason) {
  ASSERT_TRUE(run(service_->register_user("g@example.com", "long enough password")));
  const auto token = run(service_->login("g@example.com", "long enough password"));
  ASSERT_TRUE(token);
  AuthService waiting(AuthSettings{}, KeyRing{}, *db_, *hasher_);
  EXPECT_FALSE(waiting.verify_access(token->access_token)) << "no key verifies yet";
  const auto impatient = run(waiting.signing_key(50ms));
  ASSERT_FALSE(impatient);
  EXPECT_EQ(impatient.error().code, AuthErrorCode::unavailable);
  waiting.keys_failed("disk full");
  const auto refused = run(waiting.login("g@example.com", "long enough password"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AuthErrorCode::unavailable);
  EXPECT_NE(refused.error().message.find("disk full"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace netra::auth
