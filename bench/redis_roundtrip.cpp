// Redis round trips per second through our RedisClient (hiredis driven by Asio, one event loop):
// `--concurrency 1` awaits each PING before the next (one connection's round-trip rate, what
// redis-benchmark -c 1 measures), `--concurrency N` keeps N in flight on the loop's one pipelined
// connection. Prints "rate_per_second".
//   redis_roundtrip URL SECONDS CONCURRENCY
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/event_loops.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_settings.hpp"

using namespace netra;
using namespace std::chrono;
namespace asio = boost::asio;

namespace {

asio::awaitable<uint64_t> ping_until(redis::RedisClient& client, steady_clock::time_point end) {
  uint64_t done = 0;
  while (steady_clock::now() < end) {
    std::vector<std::string> ping{"PING"};
    auto pong = co_await client.command(std::move(ping));
    if (!pong) {
      std::fprintf(stderr, "PING failed: %s\n", pong.error().message.c_str());
      co_return done;
    }
    ++done;
  }
  co_return done;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: redis_roundtrip URL SECONDS CONCURRENCY\n");
    return 2;
  }
  redis::RedisSettings settings;
  settings.url = argv[1];
  auto options = redis::client_options(settings);
  if (!options) {
    std::fprintf(stderr, "%s\n", options.error().c_str());
    return 2;
  }
  const auto seconds_to_run = std::stoi(argv[2]);
  const auto concurrency = std::stoi(argv[3]);
  core::EventLoops loops(1, milliseconds(100));
  loops.start();
  auto executor = loops.context(0).get_executor();
  auto client = std::make_shared<redis::RedisClient>(options.value(),
                                                     std::vector<asio::any_io_executor>{executor});
  auto opened =
      asio::co_spawn(executor, client->open(core::Deadline::after(seconds(5))), asio::use_future);
  if (auto error = opened.get()) {
    std::fprintf(stderr, "cannot open: %s\n", error->message.c_str());
    return 1;
  }
  const auto start = steady_clock::now();
  const auto end = start + seconds(seconds_to_run);
  std::vector<std::future<uint64_t>> workers;
  for (int i = 0; i < concurrency; ++i) {
    workers.push_back(asio::co_spawn(executor, ping_until(*client, end), asio::use_future));
  }
  uint64_t total = 0;
  for (auto& w : workers) total += w.get();
  const double elapsed = duration<double>(steady_clock::now() - start).count();
  std::printf("%.0f\n", static_cast<double>(total) / elapsed);
  asio::co_spawn(executor, client->close(), asio::use_future).get();
  loops.stop(seconds(1));
  return 0;
}
