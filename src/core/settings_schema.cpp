#include "core/settings_schema.hpp"

namespace netra::core {

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::integer:
      return "an integer";
    case ValueType::boolean:
      return "a boolean";
    case ValueType::string:
      return "a string";
    case ValueType::string_list:
      return "a list of strings";
    case ValueType::number:
      return "a number";
  }
  return "a value";
}

}  // namespace netra::core
