// Scheduler: the service's recurring work (clean-ups, retention). Each schedule, when it is due
// and this instance claims the period (ScheduleStore::claim_due — one instance of the cluster
// per period), queues one job of its kind, which the workers of any instance run with the
// durability, retries and leases of every job.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tasks/job_store.hpp"
#include "tasks/schedule_store.hpp"

namespace netra::tasks {

class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  struct Schedule {
    std::string name;
    std::chrono::milliseconds every{std::chrono::hours(1)};
    NewJob job;  // queued once per period
  };

  // `queued` is called after each job it queued (the workers' wake()). The stores outlive it.
  Scheduler(ScheduleStore& schedules, JobStore& jobs, std::string instance_id,
            std::function<void()> queued, std::chrono::milliseconds tick = std::chrono::seconds(1),
            std::chrono::milliseconds store_timeout = std::chrono::seconds(5));

  void add(Schedule schedule);  // before start()
  void start(boost::asio::any_io_executor executor);
  // Ends the loop and waits for the tick in progress (the stores may go after this).
  boost::asio::awaitable<void> stop();

  uint64_t jobs_queued() const { return queued_count_.load(); }

  struct Loop;  // the loop's shared state (defined in the .cpp)

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<Loop> loop);
  static boost::asio::awaitable<void> end_loop(std::shared_ptr<Loop> loop);
  boost::asio::awaitable<void> tick(bool& declared, bool& reported);

  ScheduleStore& schedules_;
  JobStore& jobs_;
  const std::string instance_id_;
  std::function<void()> queued_;
  const std::chrono::milliseconds tick_;
  const std::chrono::milliseconds store_timeout_;
  std::vector<Schedule> list_;
  std::shared_ptr<Loop> loop_;
  std::atomic<uint64_t> queued_count_{0};
};

}  // namespace netra::tasks
