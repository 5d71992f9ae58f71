#include "core/offload_pool.hpp"

#include <condition_variable>
#include <deque>
#include <thread>
#include <vector>

#include "core/allocator.hpp"

namespace netra::core {

namespace detail {
void park_forever(std::shared_ptr<void> handler) {
  static std::mutex mutex;
  static auto* parked = new std::vector<std::shared_ptr<void>>();  // never destroyed, on purpose
  std::lock_guard lock(mutex);
  parked->push_back(std::move(handler));
}
}  // namespace detail

// Owned jointly by the pool and its threads, so a detached thread never outlives what it uses.
struct OffloadPool::Shared {
  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable thread_finished;
  struct Queued {
    std::function<void(bool)> job;
    std::chrono::steady_clock::time_point since;
  };
  std::deque<Queued> queue;
  bool stopping = false;
  uint64_t started = 0;
  std::chrono::steady_clock::duration waited{};
  size_t busy = 0;
  size_t running_threads = 0;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<std::atomic<bool>>> finished;
};

namespace {
// A pool thread idle this long gives its allocation cache back (core/allocator.hpp): busy
// threads keep the cache's speed, a pool asleep for hours does not hold its start-up garbage.
constexpr auto kIdleBeforeReleasingCache = std::chrono::seconds(1);
}  // namespace

OffloadPool::OffloadPool(size_t threads, std::string name, size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued), shared_(std::make_shared<Shared>()) {
  const size_t count = std::max<size_t>(threads, 1);
  shared_->running_threads = count;
  for (size_t i = 0; i < count; ++i) {
    auto finished = std::make_shared<std::atomic<bool>>(false);
    shared_->finished.push_back(finished);
    shared_->threads.emplace_back([shared = shared_, finished] {
      std::unique_lock lock(shared->mutex);
      bool cache_released = true;  // nothing cached before the first call
      const auto has_work = [&] { return shared->stopping || !shared->queue.empty(); };
      for (;;) {
        if (cache_released) {
          shared->work_ready.wait(lock, has_work);
        } else if (!shared->work_ready.wait_for(lock, kIdleBeforeReleasingCache, has_work)) {
          lock.unlock();
          release_thread_cache();
          lock.lock();
          cache_released = true;
          continue;
        }
        if (shared->stopping) break;
        cache_released = false;
        auto job = std::move(shared->queue.front().job);
        shared->waited += std::chrono::steady_clock::now() - shared->queue.front().since;
        ++shared->started;
        shared->queue.pop_front();
        ++shared->busy;
        lock.unlock();
        job(true);
        job = nullptr;
        lock.lock();
        --shared->busy;
      }
      --shared->running_threads;
      finished->store(true);
      shared->thread_finished.notify_all();
    });
  }
}

OffloadPool::~OffloadPool() {
  shutdown(std::chrono::milliseconds(500));
}

OffloadPool::Submitted OffloadPool::submit(std::function<void(bool)> job) {
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) return Submitted::stopped;
    // Full only when no thread is free to take it at once.
    const size_t idle = shared_->running_threads - shared_->busy;
    if (max_queued_ > 0 && shared_->queue.size() >= max_queued_ + idle) return Submitted::full;
    shared_->queue.push_back({std::move(job), std::chrono::steady_clock::now()});
  }
  shared_->work_ready.notify_one();
  return Submitted::queued;
}

size_t OffloadPool::queued() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->queue.size();
}

OffloadPool::Waits OffloadPool::waits() const {
  std::lock_guard lock(shared_->mutex);
  return {shared_->started, std::chrono::duration<double>(shared_->waited).count()};
}

size_t OffloadPool::shutdown(std::chrono::milliseconds grace) {
  std::deque<Shared::Queued> unstarted;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<std::atomic<bool>>> finished;
  {
    std::unique_lock lock(shared_->mutex);
    if (shared_->stopping && shared_->threads.empty()) return 0;
    shared_->stopping = true;
    unstarted.swap(shared_->queue);
    threads.swap(shared_->threads);
    finished.swap(shared_->finished);
    shared_->work_ready.notify_all();
    shared_->thread_finished.wait_for(lock, grace, [&] { return shared_->running_threads == 0; });
  }
  for (auto& queued : unstarted) queued.job(false);
  {
    std::lock_guard gate_lock(gate_->mutex);
    gate_->open = false;
  }
  size_t abandoned = 0;
  for (size_t i = 0; i < threads.size(); ++i) {
    if (finished[i]->load()) {
      threads[i].join();
    } else {
      threads[i].detach();
      ++abandoned;
    }
  }
  return abandoned;
}

size_t OffloadPool::busy_threads() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->busy;
}

size_t OffloadPool::thread_count() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->running_threads;
}

}  // namespace netra::core
