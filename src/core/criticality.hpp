// Criticality: how much the service needs a component. A critical one must start or start-up
// is abandoned; the others may fail and leave the service degraded while they are retried.
#pragma once

#include <optional>
#include <string_view>

namespace netra::core {

enum class Criticality { critical, high, medium, low };

std::string_view to_string(Criticality c);
// Accepts exactly the names to_string produces.
std::optional<Criticality> parse_criticality(std::string_view text);

}  // namespace netra::core
