// The fixture of the chat store suites: a migrated database of its own for every test — a file
// for SQLite, a fresh database on the TEST_POSTGRES_URL server for PostgreSQL — with two users,
// and a wall clock the test sets.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <optional>

#include "chat/chat_store.hpp"
#include "core/event_loops.hpp"
#include "core/id.hpp"
#include "core/offload_pool.hpp"
#include "support/migrated_database.hpp"
#include "support/test_servers.hpp"

namespace netra::chat {

inline std::vector<std::string> backends() {
  std::vector<std::string> out{"sqlite"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  return out;
}

class ChatStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr int64_t kStart = 1'700'000'000'000;  // the clock's first reading (Unix ms)

  void SetUp() override {
    loops_.start();
    // A database of this test's own, so that runs marked interrupted, pages and totals are this
    // test's alone.
    database_.emplace(GetParam(), dir_, "chat", offload_, loops_, 8);
    db_ = &database_->db();
    chat_ = std::make_unique<ChatStore>(*db_, [this] { return now_.load(); });
    alice_ = add_user("alice");
    bob_ = add_user("bob");
  }

  void TearDown() override {
    chat_.reset();
    if (db_) db_->close_idle();
    database_.reset();
    offload_.shutdown(std::chrono::seconds(1));
    loops_.stop(std::chrono::seconds(1));
  }

  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task),
                                  std::chrono::seconds(30));
  }
  static core::Deadline deadline() { return core::Deadline::after(std::chrono::seconds(10)); }

  // Sets the wall clock the stores read.
  void at(int64_t unix_ms) { now_.store(unix_ms); }

  // A thread of `owner` that the test needs to exist.
  Thread must_thread(const std::string& owner, std::optional<std::string> title = std::nullopt) {
    NewThread t;
    t.title = std::move(title);
    auto created = run(chat_->threads.create(owner, std::move(t), deadline()));
    if (!created) throw std::runtime_error("create thread: " + created.error().message);
    return created.value();
  }
  Message must_message(const std::string& owner, const std::string& thread_id, std::string content,
                       Role role = Role::user) {
    NewMessage m;
    m.role = role;
    m.content = std::move(content);
    auto added = run(chat_->messages.add(owner, thread_id, std::move(m), deadline()));
    if (!added) throw std::runtime_error("add message: " + added.error().message);
    return added.value();
  }
  chat::Run must_run(const std::string& owner, const std::string& thread_id,
                     std::string request = "why is my spend up?") {
    auto created = run(chat_->runs.create(owner, thread_id, std::move(request), deadline()));
    if (!created) throw std::runtime_error("create run: " + created.error().message);
    return created.value();
  }

  testing::TempDir dir_;
  core::EventLoops loops_{2, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{4};
  std::optional<testing::MigratedDatabase> database_;
  db::Database* db_ = nullptr;  // database_'s
  std::unique_ptr<ChatStore> chat_;
  std::atomic<int64_t> now_{kStart};
  std::string alice_;
  std::string bob_;

 private:
  std::string add_user(const std::string& name) {
    const std::string id = "usr_" + name + std::to_string(now_.load());
    db::Params values{id, name + "@example.com", std::string("$argon2id$test"), kStart, kStart};
    auto inserted =
        run(db_->query("INSERT INTO users (id, email, password_hash, created_at, updated_at) "
                       "VALUES ($1, $2, $3, $4, $5)",
                       std::move(values), deadline()));
    if (!inserted) throw std::runtime_error("add user: " + inserted.error().message);
    return id;
  }
};

}  // namespace netra::chat
