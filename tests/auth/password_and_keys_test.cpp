#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "auth/jwt.hpp"
#include "auth/key_store.hpp"
#include "auth/password_hasher.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"

namespace netra::auth {
namespace {

using namespace std::chrono_literals;

class PasswordHasherTest : public ::testing::Test {
 protected:
  PasswordHasherTest() { loops_.start(); }
  ~PasswordHasherTest() override {
    offload_.shutdown(1s);
    loops_.stop(1s);
  }
  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 30s);
  }
  core::EventLoops loops_{1, 10ms};
  core::OffloadPool offload_{2};
  PasswordHasher hasher_{offload_};
};

TEST_F(PasswordHasherTest, HashesWithArgon2idAndVerifies) {
  auto hashed = run(hasher_.hash("correct horse battery"));
  ASSERT_TRUE(hashed);
  EXPECT_EQ(hashed->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(run(hasher_.verify(*hashed, "correct horse battery")).value());
  EXPECT_FALSE(run(hasher_.verify(*hashed, "correct horse batterY")).value());
  auto again = run(hasher_.hash("correct horse battery"));
  EXPECT_NE(*again, *hashed) << "salted";
}

TEST_F(PasswordHasherTest, UnknownAccountTakesTheSameWorkAndNeverMatches) {
  ASSERT_TRUE(run(hasher_.prepare())) << "the fixed hash, as start-up makes it";
  auto hashed = run(hasher_.hash("correct horse battery"));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(run(hasher_.verify(*hashed, "wrong password!")).value());
  const auto known = std::chrono::steady_clock::now() - t0;
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_FALSE(run(hasher_.verify("", "wrong password!")).value());
  const auto unknown = std::chrono::steady_clock::now() - t1;
  // An account without a password (dev login, demo data) keeps a marker, not a hash: it too is
  // verified against the fixed hash (before, it failed at once, telling it apart by time).
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_FALSE(run(hasher_.verify("!dev-login-only", "wrong password!")).value());
  const auto passwordless = std::chrono::steady_clock::now() - t2;
  // Each does one argon2id verification: within a factor of three of each other.
  EXPECT_LT(unknown, known * 3);
  EXPECT_LT(known, unknown * 3);
  EXPECT_LT(known, passwordless * 3) << "a passwordless account answered without the work";
}

// The hasher's pool refuses what it cannot queue: busy, not an unbounded wait.
TEST_F(PasswordHasherTest, AFullHashingQueueAnswersBusy) {
  core::OffloadPool one(1, "password hashing", 1);
  PasswordHasher hasher(one);
  std::promise<void> release;
  auto released = release.get_future().share();
  auto held = asio::co_spawn(loops_.context(0), one.run([released] { released.wait_for(10s); }),
                             asio::use_future);
  while (one.busy_threads() == 0) std::this_thread::sleep_for(1ms);
  auto queued =
      asio::co_spawn(loops_.context(0), hasher.hash("correct horse battery"), asio::use_future);
  while (one.queued() == 0) std::this_thread::sleep_for(1ms);
  auto refused = run(hasher.verify("", "correct horse battery"));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().busy);
  auto hashed = run(hasher.hash("another password"));
  ASSERT_FALSE(hashed);
  EXPECT_TRUE(hashed.error().busy);
  release.set_value();
  held.get();
  EXPECT_TRUE(queued.get()) << "the queued hash still ran";
  one.shutdown(1s);
}

TEST(KeyStore, GeneratesOnFirstStartWithMode0600AndReusesAfter) {
  testing::TempDir dir;
  const auto folder = dir.file("keys");
  std::optional<std::chrono::microseconds> generated_in;
  auto first = load_or_create_signing_key(folder, KeyAlgorithm::rs256, &generated_in);
  ASSERT_TRUE(generated_in) << "a key made on first start is not reported as made";
  EXPECT_GT(generated_in->count(), 0);
  struct stat st {};
  ASSERT_EQ(::stat((folder + "/jwt-rs256.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(::stat(folder.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  std::optional<std::chrono::microseconds> loaded_in;
  auto second = load_or_create_signing_key(folder, KeyAlgorithm::rs256, &loaded_in);
  EXPECT_EQ(first.kid(), second.kid());
  EXPECT_FALSE(loaded_in) << "a key read from its file is reported as made";
}

TEST(KeyStore, InstancesStartingAtOnceAgreeOnOneKey) {
  // Six starts at the same moment in an empty folder (as processes sharing a volume would):
  // every one ends with the same key, the one on disk, and no temporary file stays behind.
  for (auto algorithm : {KeyAlgorithm::eddsa, KeyAlgorithm::rs256}) {
    testing::TempDir dir;
    const auto folder = dir.file("keys");
    constexpr int kStarts = 6;
    std::vector<std::string> kids(kStarts);
    std::atomic<int> waiting{kStarts};
    std::vector<std::thread> starts;
    for (int i = 0; i < kStarts; ++i) {
      starts.emplace_back([&, i] {
        waiting.fetch_sub(1);
        while (waiting.load() > 0) std::this_thread::yield();
        kids[static_cast<size_t>(i)] = load_or_create_signing_key(folder, algorithm).kid();
      });
    }
    for (auto& t : starts) t.join();
    const auto on_disk = load_or_create_signing_key(folder, algorithm).kid();
    for (const auto& kid : kids) EXPECT_EQ(kid, on_disk);
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      (void)entry;
      ++files;
    }
    EXPECT_EQ(files, 1u) << "a temporary key file stayed behind";
  }
}

TEST(KeyStore, NeverWritesAKeyThroughALink) {
  // A link planted at the key's name, pointing where the key must not go: the start fails
  // instead of writing the private key there.
  testing::TempDir dir;
  const auto folder = dir.file("keys");
  std::filesystem::create_directories(folder);
  const auto elsewhere = dir.file("elsewhere.pem");
  std::filesystem::create_symlink(elsewhere, folder + "/jwt-eddsa.pem");
  EXPECT_THROW(load_or_create_signing_key(folder, KeyAlgorithm::eddsa), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(elsewhere)) << "the key was written through the link";
}

TEST(KeyStore, RefusesAKeyFileOthersCanRead) {
  testing::TempDir dir;
  const auto folder = dir.file("keys");
  load_or_create_signing_key(folder, KeyAlgorithm::eddsa);
  ::chmod((folder + "/jwt-eddsa.pem").c_str(), 0644);
  EXPECT_THROW(load_or_create_signing_key(folder, KeyAlgorithm::eddsa), std::runtime_error);
}

TEST(KeyStore, RotationKeepsOldTokensValidAndPublishesBothKeys) {
  testing::TempDir dir;
  const auto folder = dir.file("keys");
  const KeyRingOptions options{folder, KeyAlgorithm::eddsa, ""};
  const auto before = load_key_ring(options);
  EXPECT_TRUE(before.verifying.empty());
  const Claims c{"user_1",      "netra",       "netra-api",       "jti", 1'800'000'000,
                 1'800'000'000, 1'800'000'900, TokenType::access, ""};
  const auto old_token = issue_token(*before.signing, c);

  const auto rotation = rotate_signing_key(folder, KeyAlgorithm::eddsa, std::chrono::hours(24));
  EXPECT_EQ(rotation.retired_kid, before.signing->kid());
  EXPECT_NE(rotation.new_kid, rotation.retired_kid);
  struct stat st {};
  ASSERT_EQ(::stat((folder + "/retired/" + rotation.retired_kid + ".pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const auto after = load_key_ring(options);
  EXPECT_EQ(after.signing->kid(), rotation.new_kid);
  ASSERT_EQ(after.verifying.size(), 1u);
  EXPECT_EQ(after.verifying[0]->kid(), rotation.retired_kid);
  JwtVerifier verifier(VerifierOptions{"netra", "netra-api"});
  verifier.replace_keys(after.all());
  EXPECT_TRUE(verifier.verify(old_token, TokenType::access, 1'800'000'000)) << "nobody logged out";
  EXPECT_TRUE(verifier.verify(issue_token(*after.signing, c), TokenType::access, 1'800'000'000));

  // A second rotation with nothing kept deletes the first retired key, never the one just retired.
  const auto second = rotate_signing_key(folder, KeyAlgorithm::eddsa, std::chrono::seconds(0));
  EXPECT_EQ(second.removed, std::vector<std::string>{rotation.retired_kid});
  const auto last = load_key_ring(options);
  ASSERT_EQ(last.verifying.size(), 1u);
  EXPECT_EQ(last.verifying[0]->kid(), rotation.new_kid);
}

TEST(KeyStore, ASharedSecretSignsOnlyWhenChosenAndIsNeverFiled) {
  testing::TempDir dir;
  const std::string secret(40, 's');
  const auto compat = load_key_ring({dir.file("keys"), KeyAlgorithm::rs256, secret});
  EXPECT_EQ(compat.signing->algorithm(), KeyAlgorithm::rs256);
  ASSERT_EQ(compat.verifying.size(), 1u);
  EXPECT_TRUE(compat.verifying[0]->is_symmetric());
  const auto hs = load_key_ring({dir.file("keys2"), KeyAlgorithm::hs256, secret});
  EXPECT_TRUE(hs.signing->is_symmetric());
  EXPECT_FALSE(std::filesystem::exists(dir.file("keys2") + "/jwt-rs256.pem"));
  EXPECT_THROW(load_key_ring({dir.file("keys3"), KeyAlgorithm::hs256, ""}), std::runtime_error);
  EXPECT_THROW(load_key_ring({dir.file("keys4"), KeyAlgorithm::rs256, "short"}),
               std::runtime_error);
}

}  // namespace
}  // namespace netra::auth
