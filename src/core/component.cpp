#include "core/component.hpp"

namespace netra::core {

std::string_view to_string(DependencyKind kind) {
  return kind == DependencyKind::hard ? "requires" : "uses";
}

}  // namespace netra::core
