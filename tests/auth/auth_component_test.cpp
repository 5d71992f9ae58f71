// AuthComponent's start-up: the key ring prepare() begins loading (before the database is up) is
// the one start() serves with, and what loading it threw is start()'s error.
#include "auth/auth_component.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "core/event_loops.hpp"
#include "core/health_registry.hpp"
#include "core/offload_pool.hpp"
#include "db/database_component.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"

namespace netra::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class AuthComponentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loops_.start();
    db::DatabaseSettings settings;
    settings.url = "sqlite:" + (fs::path(dir_.path()) / "netra.db").string();
    database_ = std::make_unique<db::DatabaseComponent>(db::DatabaseComponent::make_spec(),
                                                        settings, offload_, health_);
    ASSERT_TRUE(run(database_->start(context_)));
    config_.keys.folder = key_folder();
    config_.hash_threads = 1;
  }
  void TearDown() override {
    if (auth_) run(auth_->stop(context_));
    auth_.reset();
    run(database_->stop(context_));
    database_.reset();
    offload_.shutdown(1s);
    loops_.stop(1s);
  }
  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 20s);
  }
  std::string key_folder() const { return (fs::path(dir_.path()) / "keys").string(); }
  std::string key_file() const { return key_folder() + "/jwt-rs256.pem"; }
  AuthComponent& make_auth() {
    auth_ =
        std::make_unique<AuthComponent>(AuthComponent::make_spec(), config_, state_, *database_);
    return *auth_;
  }
  // The kid the running service signs with: the first key it publishes.
  std::string serving_kid() const {
    const auto service = state_.get();
    return service ? service->jwks()["keys"][0]["kid"].get<std::string>() : "";
  }

  testing::TempDir dir_;
  core::EventLoops loops_{1, 10ms};
  core::OffloadPool offload_{2};
  core::HealthRegistry health_;
  core::LifecycleContext context_{1, 1, 10s, &offload_, {"database"}};
  std::unique_ptr<db::DatabaseComponent> database_;
  AuthConfig config_;
  AuthState state_;
  std::unique_ptr<AuthComponent> auth_;
};

TEST_F(AuthComponentTest, PrepareMakesTheKeyBeforeStartAndStartServesWithIt) {
  auto& auth = make_auth();
  auth.prepare(offload_, loops_.context(0).get_executor());
  // Nothing calls start() yet: the key appears because prepare() began making it.
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(key_file()) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(fs::exists(key_file())) << "prepare() did not begin loading the key ring";
  const auto status = run(auth.start(context_));
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(serving_kid(), SigningKey::load(key_file()).kid());
}

TEST_F(AuthComponentTest, AFirstStartIsReadyBeforeTheKeyIsMadeAndSignInsWaitForIt) {
  // prepare() queues the key's making behind a task that holds the only thread of its pool, so
  // start() finds it not made yet, deterministically.
  core::OffloadPool making_pool{1};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto hold = boost::asio::co_spawn(
      loops_.context(0), making_pool.run([released] { released.wait(); }), boost::asio::use_future);
  auto& auth = make_auth();
  auth.prepare(making_pool, loops_.context(0).get_executor());
  const auto status = run(auth.start(context_));
  ASSERT_TRUE(status) << status.message();
  const auto service = state_.get();
  ASSERT_NE(service, nullptr) << "ready without the key";
  EXPECT_FALSE(fs::exists(key_file()));
  EXPECT_TRUE(service->jwks()["keys"].empty()) << "no key published before it exists";
  const auto waited = run(service->signing_key(50ms));
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, AuthErrorCode::unavailable);
  EXPECT_NE(waited.error().message.find("still being made"), std::string::npos);

  // A sign-in that asks now waits for the key instead of failing.
  auto pending =
      boost::asio::co_spawn(loops_.context(0), service->signing_key(20s), boost::asio::use_future);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(pending.wait_for(0s), std::future_status::timeout);
  release.set_value();
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  auto key = pending.get();
  ASSERT_TRUE(key) << key.error().message;
  ASSERT_TRUE(fs::exists(key_file()));
  EXPECT_EQ(key.value()->kid(), SigningKey::load(key_file()).kid());
  EXPECT_EQ(serving_kid(), key.value()->kid());
  hold.get();
  making_pool.shutdown(1s);
}

TEST_F(AuthComponentTest, StartWithoutPrepareLoadsTheRingItself) {
  auto& auth = make_auth();
  const auto status = run(auth.start(context_));
  ASSERT_TRUE(status) << status.message();
  ASSERT_TRUE(fs::exists(key_file()));
  EXPECT_EQ(serving_kid(), SigningKey::load(key_file()).kid());
}

TEST_F(AuthComponentTest, WhatTheEarlyLoadThrewIsStartsErrorAndARetryLoadsAgain) {
  fs::create_directories(key_folder());
  SigningKey::generate(KeyAlgorithm::rs256).save_if_absent(key_file());
  ::chmod(key_file().c_str(), 0644);  // readable by others: refused
  auto& auth = make_auth();
  auth.prepare(offload_, loops_.context(0).get_executor());
  const auto refused = run(auth.start(context_));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.message().find("readable by others"), std::string::npos) << refused.message();
  EXPECT_EQ(state_.get(), nullptr);

  ::chmod(key_file().c_str(), 0600);  // the engine's next attempt reads the folder again
  const auto retried = run(auth.start(context_));
  ASSERT_TRUE(retried) << retried.message();
  EXPECT_EQ(serving_kid(), SigningKey::load(key_file()).kid());
}

}  // namespace
}  // namespace netra::auth
