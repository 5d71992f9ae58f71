// The configuration schema: every key the service reads, its type, default, range and purpose.
// The single source for validation, `netra check`, and the test that keeps the example file true.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netra::app {

enum class ValueType { integer, boolean, string, string_list };

struct KeySpec {
  std::string key;  // dotted: "server.port"; component keys are the part after "components.<name>."
  ValueType type = ValueType::string;
  std::string default_toml;  // the default as it is written in TOML
  int64_t min = 0;
  int64_t max = 0;
  std::vector<std::string> choices;  // for strings with a fixed set of values
  std::string help;
};

// Keys with one value for the whole service.
const std::vector<KeySpec>& service_keys();

// Keys under `components.<name>.`, for every component the service knows. Their defaults depend
// on the component's criticality (see core::ComponentSettings::defaults_for).
const std::vector<KeySpec>& component_keys();

std::string_view to_string(ValueType type);

}  // namespace netra::app
