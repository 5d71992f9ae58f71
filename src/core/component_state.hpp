// ComponentState: the one definition of the states a component moves through, from
// `pending` to `ready`/`degraded`/`failed` and, at shutdown, `stopping` → `stopped`.
#pragma once

#include <array>
#include <string_view>

namespace netra::core {

enum class ComponentState {
  pending,   // registered, start-up not begun
  waiting,   // waiting for its dependencies
  starting,  // an attempt is running, or a retry is scheduled
  ready,
  degraded,  // a non-critical component that failed; retried in the background
  skipped,   // not started because something it requires is not ready
  failed,    // a critical component that failed; start-up is abandoned
  disabled,  // removed by the profile or by --disable
  stopping,
  stopped,
};

inline constexpr std::array kAllComponentStates = {
    ComponentState::pending, ComponentState::waiting,  ComponentState::starting,
    ComponentState::ready,   ComponentState::degraded, ComponentState::skipped,
    ComponentState::failed,  ComponentState::disabled, ComponentState::stopping,
    ComponentState::stopped,
};

std::string_view to_string(ComponentState s);

// True once start-up has decided about the component (it no longer blocks its dependents).
bool is_settled(ComponentState s);

}  // namespace netra::core
