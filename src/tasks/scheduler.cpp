#include "tasks/scheduler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/task_failures.hpp"
#include "telemetry/logging.hpp"

namespace netra::tasks {

namespace asio = boost::asio;

// Touched on the loop's executor only.
struct Scheduler::Loop {
  bool stopping = false;
  bool ended = false;
  std::shared_ptr<asio::steady_timer> timer;
  std::shared_ptr<asio::steady_timer> stop_waiter;  // stop() waits on it for the loop to end
};

Scheduler::Scheduler(ScheduleStore& schedules, JobStore& jobs, std::string instance_id,
                     std::function<void()> queued, std::chrono::milliseconds tick,
                     std::chrono::milliseconds store_timeout)
    : schedules_(schedules),
      jobs_(jobs),
      instance_id_(std::move(instance_id)),
      queued_(std::move(queued)),
      tick_(tick),
      store_timeout_(store_timeout) {}

void Scheduler::add(Schedule schedule) {
  list_.push_back(std::move(schedule));
}

void Scheduler::start(asio::any_io_executor executor) {
  loop_ = std::make_shared<Loop>();
  loop_->timer = std::make_shared<asio::steady_timer>(executor);
  asio::co_spawn(executor, run(loop_), core::detached_reporting("the job scheduler"));
}

asio::awaitable<void> Scheduler::stop() {
  auto loop = std::exchange(loop_, nullptr);
  if (!loop) co_return;
  auto executor = loop->timer->get_executor();
  co_await asio::co_spawn(executor, end_loop(std::move(loop)), asio::use_awaitable);
}

// On the loop's executor. (Not a capturing lambda: g++ 12 destroys the captures of a lambda
// coroutine given to co_spawn twice.)
asio::awaitable<void> Scheduler::end_loop(std::shared_ptr<Loop> loop) {
  loop->stopping = true;
  loop->timer->cancel();
  if (loop->ended) co_return;
  loop->stop_waiter =
      std::make_shared<asio::steady_timer>(loop->timer->get_executor(), std::chrono::hours(1));
  (void)co_await loop->stop_waiter->async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> Scheduler::run(std::shared_ptr<Loop> loop) {
  auto self = shared_from_this();
  bool declared = false;
  bool reported = false;
  while (!loop->stopping) {
    co_await tick(declared, reported);
    if (loop->stopping) break;
    loop->timer->expires_after(tick_);
    (void)co_await loop->timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  loop->ended = true;
  if (loop->stop_waiter) loop->stop_waiter->cancel();
}

asio::awaitable<void> Scheduler::tick(bool& declared, bool& reported) {
  auto log = telemetry::logger("background_tasks");
  auto failed = [&](const std::string& what, const db::DbError& error) {
    if (!reported) log->warn("schedules: {}: {}; trying again", what, error.message);
    reported = true;
  };
  if (!declared) {
    for (const auto& s : list_) {
      auto done =
          co_await schedules_.declare(s.name, s.every, core::Deadline::after(store_timeout_));
      if (!done) co_return failed("cannot declare " + s.name, done.error());
    }
    declared = true;
  }
  for (const auto& s : list_) {
    auto mine =
        co_await schedules_.claim_due(s.name, instance_id_, core::Deadline::after(store_timeout_));
    if (!mine) co_return failed("cannot claim " + s.name, mine.error());
    if (!mine.value()) continue;
    auto queued = co_await jobs_.enqueue(s.job, core::Deadline::after(store_timeout_));
    if (!queued) {
      // This period's run is lost; the next period queues it again.
      log->warn("schedule {}: could not queue its job: {}", s.name, queued.error().message);
      continue;
    }
    ++queued_count_;
    log->info("schedule {}: queued job {} ({}); next in {} s", s.name, queued->job.id, s.job.kind,
              s.every.count() / 1000);
    if (queued_) queued_();
  }
  reported = false;
}

}  // namespace netra::tasks
