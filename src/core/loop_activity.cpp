#include "core/loop_activity.hpp"

namespace netra::core {
namespace {
thread_local LoopActivity* t_current_loop = nullptr;
}

void LoopActivity::attach_current_thread() {
  t_current_loop = this;
}
LoopActivity* LoopActivity::current() {
  return t_current_loop;
}

ActivityScope::ActivityScope(const char* label) : loop_(t_current_loop) {
  if (loop_ != nullptr) previous_ = loop_->label_.exchange(label, std::memory_order_relaxed);
}

ActivityScope::~ActivityScope() {
  if (loop_ != nullptr) loop_->label_.store(previous_, std::memory_order_relaxed);
}

}  // namespace netra::core
