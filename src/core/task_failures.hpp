// What becomes of an exception nobody is waiting for: a task spawned with asio::detached (Asio
// drops its exception without a word) or a handler that throws out of a loop's run(). Both are
// reported here, so a background task that dies says so in the log instead of stopping silently
// (a fan-out that never sends again, a retry loop that never retries).
#pragma once

#include <exception>
#include <functional>
#include <string_view>

namespace netra::core {

// Where reports go: set once at start-up, before any loop runs (serve sends them to the log at
// error). Without one they go to stderr.
using TaskFailureReporter = std::function<void(std::string_view task, std::string_view what)>;
void report_task_failures_to(TaskFailureReporter reporter);

// Reports that `task` ended by `error` (what() of a std::exception, or a note that it was
// something else).
void report_task_failure(std::string_view task, const std::exception_ptr& error);

// The completion token for a task nobody awaits: co_spawn(executor, work(),
// core::detached_reporting("redis reconnect")). Like asio::detached, except that an exception
// that ends the task is reported under its name. Usable inside bind_cancellation_slot.
struct DetachedReporting {
  const char* task;
  template <typename... Results>
  void operator()(std::exception_ptr error, Results&&...) const {
    if (error) report_task_failure(task, error);
  }
};

inline DetachedReporting detached_reporting(const char* task) {
  return {task};
}

}  // namespace netra::core
