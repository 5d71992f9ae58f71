#include "core/criticality.hpp"

namespace netra::core {

std::string_view to_string(Criticality c) {
  switch (c) {
    case Criticality::critical:
      return "critical";
    case Criticality::high:
      return "high";
    case Criticality::medium:
      return "medium";
    case Criticality::low:
      return "low";
  }
  return "unknown";
}

std::optional<Criticality> parse_criticality(std::string_view text) {
  for (auto c : {Criticality::critical, Criticality::high, Criticality::medium, Criticality::low}) {
    if (to_string(c) == text) return c;
  }
  return std::nullopt;
}

}  // namespace netra::core
