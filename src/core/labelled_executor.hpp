// LabelledExecutor: an executor adapter that labels every handler it runs (every resumption of a
// coroutine spawned on it), so the Watchdog can name the component or route that stalled a loop.
#pragma once

#include <utility>

#include "core/around_executor.hpp"
#include "core/loop_activity.hpp"

namespace netra::core {

// Labels the loop while a handler runs. Labels must outlive the loop.
struct ActivityLabel {
  const char* label;
  template <typename Function>
  void operator()(Function& handler) const {
    ActivityScope scope(label);
    handler();
  }
  bool operator==(const ActivityLabel&) const = default;
};

template <typename Inner>
using LabelledExecutor = AroundExecutor<Inner, ActivityLabel>;

template <typename Inner>
LabelledExecutor<Inner> label_executor(Inner inner, const char* label) {
  return LabelledExecutor<Inner>(std::move(inner), ActivityLabel{label});
}

}  // namespace netra::core
