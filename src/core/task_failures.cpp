#include "core/task_failures.hpp"

#include <cstdio>
#include <string>

namespace netra::core {

namespace {
TaskFailureReporter& reporter() {
  static TaskFailureReporter installed;
  return installed;
}
}  // namespace

void report_task_failures_to(TaskFailureReporter reporter_to_use) {
  reporter() = std::move(reporter_to_use);
}

void report_task_failure(std::string_view task, const std::exception_ptr& error) {
  std::string what = "an exception of unknown type";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  if (const auto& report = reporter()) {
    report(task, what);
    return;
  }
  std::fprintf(stderr, "%.*s ended by an exception nothing caught: %s\n",
               static_cast<int>(task.size()), task.data(), what.c_str());
}

}  // namespace netra::core
