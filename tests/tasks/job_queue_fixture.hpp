// The fixture of the job queue suites: a migrated database of its own for every test — a file for
// SQLite, a fresh database on the TEST_POSTGRES_URL server for PostgreSQL — with users alice and
// bob, a JobStore on a wall clock the test sets, and helpers that fail the test loudly.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "support/migrated_database.hpp"
#include "support/test_servers.hpp"
#include "tasks/job_store.hpp"

namespace netra::tasks {

using namespace std::chrono_literals;

inline std::vector<std::string> backends() {
  std::vector<std::string> out{"sqlite"};
  if (netra::testing::have_test_server("TEST_POSTGRES_URL")) out.push_back("postgres");
  return out;
}

class JobQueueTest : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr int64_t kStart = 1'700'000'000'000;

  void SetUp() override {
    loops_.start();
    database_.emplace(GetParam(), dir_, "jobs", offload_, loops_, 8);
    db_ = &database_->db();
    jobs_ = std::make_unique<JobStore>(*db_, [this] { return now_.load(); });
    for (const char* name : {"alice", "bob"}) {
      db::Params user{std::string("usr_") + name, std::string(name) + "@example.com",
                      std::string("$argon2id$test"), kStart, kStart};
      auto added =
          run(db_->query("INSERT INTO users (id, email, password_hash, created_at, updated_at) "
                         "VALUES ($1, $2, $3, $4, $5)",
                         std::move(user), deadline()));
      ASSERT_TRUE(added) << added.error().message;
    }
  }
  void TearDown() override {
    jobs_.reset();
    if (db_) db_->close_idle();
    database_.reset();
    offload_.shutdown(1s);
    loops_.stop(1s);
  }

  template <typename T>
  T run(boost::asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task), 30s);
  }
  static core::Deadline deadline() { return core::Deadline::after(10s); }
  void at(int64_t unix_ms) { now_.store(unix_ms); }

  Job enqueue(NewJob job) {
    auto made = run(jobs_->enqueue(std::move(job), deadline()));
    if (!made) throw std::runtime_error("enqueue: " + made.error().message);
    return made->job;
  }
  NewJob synthetic(const std::string& user, std::optional<std::string> key = std::nullopt) {
    NewJob job;
    job.kind = "synthetic_data";
    job.user_id = user;
    job.payload = {{"events", 1000}};
    job.idempotency_key = std::move(key);
    return job;
  }
  std::optional<Job> claim(const std::string& worker, std::chrono::milliseconds lease = 30s) {
    auto claimed = run(jobs_->claim(worker, lease, deadline()));
    if (!claimed) throw std::runtime_error("claim: " + claimed.error().message);
    return claimed.value();
  }
  Job get(const std::string& user, const std::string& id) {
    auto found = run(jobs_->get_for(user, id, deadline()));
    if (!found || !found->has_value()) throw std::runtime_error("get: no job " + id);
    return **found;
  }

  testing::TempDir dir_;
  core::EventLoops loops_{2, std::chrono::milliseconds(10)};
  core::OffloadPool offload_{4};
  std::optional<testing::MigratedDatabase> database_;
  db::Database* db_ = nullptr;  // database_'s
  std::unique_ptr<JobStore> jobs_;
  std::atomic<int64_t> now_{kStart};
};

}  // namespace netra::tasks
