#include "core/component_state.hpp"

namespace netra::core {

std::string_view to_string(ComponentState s) {
  switch (s) {
    case ComponentState::pending:
      return "pending";
    case ComponentState::waiting:
      return "waiting";
    case ComponentState::starting:
      return "starting";
    case ComponentState::ready:
      return "ready";
    case ComponentState::degraded:
      return "degraded";
    case ComponentState::skipped:
      return "skipped";
    case ComponentState::failed:
      return "failed";
    case ComponentState::disabled:
      return "disabled";
    case ComponentState::stopping:
      return "stopping";
    case ComponentState::stopped:
      return "stopped";
  }
  return "unknown";
}

bool is_settled(ComponentState s) {
  return s != ComponentState::pending && s != ComponentState::waiting &&
         s != ComponentState::starting;
}

}  // namespace netra::core
