// ScratchRedisTest: a test with one event loop and, once connect() ran, a RedisClient on a Redis
// server of its own (ScratchRedis) with a short command deadline, so that a frozen Redis fails a
// command within 300 ms.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "core/event_loops.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"
#include "support/run_awaitable.hpp"
#include "support/scratch_redis.hpp"

namespace netra::redis {

class ScratchRedisTest : public ::testing::Test {
 protected:
  ScratchRedisTest() : loops_(1, std::chrono::milliseconds(50)) { loops_.start(); }
  ~ScratchRedisTest() override {
    if (client_) run(client_->close());
    loops_.stop(std::chrono::seconds(2));
  }

  // Starts the server and opens the client.
  void connect() {
    redis_ = std::make_unique<testing::ScratchRedis>();
    RedisSettings settings;
    settings.url = redis_->url();
    settings.command_timeout = std::chrono::milliseconds(300);
    client_ = std::make_shared<RedisClient>(
        client_options(settings).value(),
        std::vector<asio::any_io_executor>{loops_.context(0).get_executor()});
    auto error = run(client_->open(core::Deadline::after(std::chrono::seconds(5))));
    EXPECT_FALSE(error) << error->message;
  }

  template <typename T>
  T run(asio::awaitable<T> task) {
    return testing::run_awaitable(loops_.context(0).get_executor(), std::move(task));
  }

  core::EventLoops loops_;
  std::unique_ptr<testing::ScratchRedis> redis_;
  std::shared_ptr<RedisClient> client_;
};

}  // namespace netra::redis
