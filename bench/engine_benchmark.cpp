// Engine overhead: start-up of N no-op components (cost per component), and time-to-ready of a
// 200-component random DAG with short sleeps minus its critical path.
//
//   cmake --preset release && cmake --build --preset release --target engine_benchmark
//   build/release/bench/engine_benchmark
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <random>

#include "core/engine.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"

namespace {

namespace asio = boost::asio;
using namespace netra;
using std::chrono::microseconds;

// Starts after `delay` (0: at once); stops at once.
class SleepComponent final : public core::Component {
 public:
  SleepComponent(core::ComponentSpec spec, microseconds delay)
      : core::Component(std::move(spec)), delay_(delay) {}
  asio::awaitable<core::Status> start(core::LifecycleContext&) override {
    if (delay_.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay_);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return core::Status::ok();
  }
  asio::awaitable<core::Status> stop(core::LifecycleContext&) override {
    co_return core::Status::ok();
  }

 private:
  microseconds delay_;
};

struct Dag {
  std::vector<core::ComponentSpec> specs;
  std::vector<microseconds> delays;
  double critical_path_ms = 0;
};

// Each component depends on a few earlier ones, like a service graph; seeded for repeatability.
Dag random_dag(int n, microseconds min_delay, microseconds max_delay, unsigned seed) {
  std::mt19937 random(seed);
  Dag dag;
  std::vector<double> finish(n, 0);
  for (int i = 0; i < n; ++i) {
    core::ComponentSpec spec{"c" + std::to_string(i), core::Criticality::high, {}};
    double begin = 0;
    const int deps = i == 0 ? 0 : static_cast<int>(random() % 4);
    for (int d = 0; d < deps; ++d) {
      const int j = static_cast<int>(random() % i);
      spec.dependencies.push_back(d % 2 ? core::uses_component("c" + std::to_string(j))
                                        : core::requires_component("c" + std::to_string(j)));
      begin = std::max(begin, finish[j]);
    }
    const auto span = max_delay.count() - min_delay.count();
    const microseconds delay(min_delay.count() +
                             (span > 0 ? static_cast<long>(random() % span) : 0));
    finish[i] = begin + delay.count() / 1000.0;
    dag.critical_path_ms = std::max(dag.critical_path_ms, finish[i]);
    dag.specs.push_back(std::move(spec));
    dag.delays.push_back(delay);
  }
  return dag;
}

// Time-to-ready of one engine start, in milliseconds (the engine's own measurement).
double start_once(core::EventLoops& loops, core::OffloadPool& offload, const Dag& dag) {
  core::EngineOptions options;
  options.offload = &offload;
  options.work_executor = [&loops] { return loops.next_executor(); };
  core::Engine engine(loops.context(0).get_executor(), options);
  for (size_t i = 0; i < dag.specs.size(); ++i) {
    engine.add(std::make_shared<SleepComponent>(dag.specs[i], dag.delays[i]),
               core::ComponentSettings::defaults_for(core::Criticality::high));
  }
  engine.plan();
  auto report = asio::co_spawn(loops.context(0), engine.start(), asio::use_future).get();
  if (report.outcome != core::StartupOutcome::ready) {
    throw std::runtime_error("start-up was " + std::string(core::to_string(report.outcome)));
  }
  asio::co_spawn(loops.context(0), engine.stop(), asio::use_future).get();
  return report.elapsed_ms;
}

void BM_StartNoOpComponents(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  core::EventLoops loops(2, std::chrono::milliseconds(50));
  loops.start();
  core::OffloadPool offload(1);
  const Dag dag = random_dag(n, microseconds(0), microseconds(0), 7);
  double total_ms = 0;
  for (auto _ : state) {
    const double ms = start_once(loops, offload, dag);
    state.SetIterationTime(ms / 1000.0);
    total_ms += ms;
  }
  state.counters["us_per_component"] =
      total_ms * 1000.0 / n / static_cast<double>(state.iterations());
  offload.shutdown(std::chrono::milliseconds(100));
  loops.stop(std::chrono::seconds(1));
}
BENCHMARK(BM_StartNoOpComponents)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_RandomDag200WithSleeps(benchmark::State& state) {
  core::EventLoops loops(2, std::chrono::milliseconds(50));
  loops.start();
  core::OffloadPool offload(1);
  const Dag dag = random_dag(200, microseconds(1000), microseconds(5000), 11);
  double above = 0;
  for (auto _ : state) {
    const double ms = start_once(loops, offload, dag);
    state.SetIterationTime(ms / 1000.0);
    above += ms - dag.critical_path_ms;
  }
  state.counters["critical_path_ms"] = dag.critical_path_ms;
  state.counters["ms_above_critical_path"] = above / static_cast<double>(state.iterations());
  offload.shutdown(std::chrono::milliseconds(100));
  loops.stop(std::chrono::seconds(1));
}
BENCHMARK(BM_RandomDag200WithSleeps)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(30);

}  // namespace

BENCHMARK_MAIN();
