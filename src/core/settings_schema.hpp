// SettingsSchema<S>: a layer's slice of the configuration — each key it reads (name, default,
// range, help) declared beside the field of its typed settings struct S that the key fills. The
// process composes the slices into the one schema that validates a file, the environment and the
// flags together; code then reads typed fields (`settings.pool_max`), never a key by its name.
// A key's type follows from its field: bool, std::string, std::vector<std::string>, or a number
// or std::chrono duration (an integer key, in the unit of the duration).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/configuration_error.hpp"

namespace netra::core {

using ConfigValue = std::variant<int64_t, bool, std::string, std::vector<std::string>, double>;

enum class ValueType { integer, boolean, string, string_list, number };
std::string_view to_string(ValueType type);

// What a key may hold beyond its type.
struct KeyRules {
  std::string fallback{};  // the default, as it is written in TOML: "10", "\"sqlite:...\"", "[]"
  int64_t min = 0;         // integers: the range
  int64_t max = 0;
  std::vector<std::string> choices{};  // strings with a fixed set of values
  std::string help{};                  // one line, as in config/netra.example.toml
};

struct KeySpec {
  std::string key;  // dotted: "server.port"; component keys are the part after "components.<name>."
  ValueType type = ValueType::string;
  KeyRules rules{};
};

// A loaded configuration as a slice reads it: each key's value and where it came from
// ("default", "netra.toml:12", "NETRA_SERVER_PORT", "--set"). Both throw std::out_of_range for a
// key no slice declared.
class ConfigValues {
 public:
  virtual ~ConfigValues() = default;
  virtual const ConfigValue& value(const std::string& key) const = 0;
  virtual std::string source(const std::string& key) const = 0;
};

namespace detail {

template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};

template <class F>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<F, bool>) {
    return ValueType::boolean;
  } else if constexpr (std::is_same_v<F, std::string>) {
    return ValueType::string;
  } else if constexpr (std::is_same_v<F, std::vector<std::string>>) {
    return ValueType::string_list;
  } else {
    static_assert(is_duration<F>::value || std::is_arithmetic_v<F>,
                  "a key fills a bool, a string, a list of strings, a number or a duration");
    if constexpr (std::is_floating_point_v<F>) {
      return ValueType::number;
    } else {
      return ValueType::integer;
    }
  }
}

template <class F>
F field_value(const ConfigValue& value) {
  if constexpr (value_type_of<F>() == ValueType::number) {
    // A number key holds a double; a whole number given where one is taken reads as well.
    if (const auto* whole = std::get_if<int64_t>(&value)) return static_cast<F>(*whole);
    return static_cast<F>(std::get<double>(value));
  } else if constexpr (value_type_of<F>() != ValueType::integer) {
    return std::get<F>(value);
  } else if constexpr (is_duration<F>::value) {
    return F(static_cast<typename F::rep>(std::get<int64_t>(value)));
  } else {
    return static_cast<F>(std::get<int64_t>(value));
  }
}

}  // namespace detail

template <class Settings>
class SettingsSchema {
 public:
  // Adds a key that fills one field. `field` is a member pointer (&S::pool_min) or, for a field
  // of a nested struct, a function returning a reference to it ([](S& s) -> auto& {...}).
  template <class Field>
  SettingsSchema& key(std::string name, Field field, KeyRules rules) {
    using F = std::remove_cvref_t<std::invoke_result_t<Field, Settings&>>;
    return key_with(
        std::move(name), detail::value_type_of<F>(),
        [field](Settings& s, const ConfigValue& v) {
          std::invoke(field, s) = detail::field_value<F>(v);
        },
        std::move(rules));
  }

  // Adds a key whose value `assign` turns into the settings (an enum from its name). `assign`
  // may throw std::invalid_argument (its message is the problem, reported with the key and its
  // source) or core::ConfigurationError (its lines are reported as they are).
  SettingsSchema& key_with(std::string name, ValueType type,
                           std::function<void(Settings&, const ConfigValue&)> assign,
                           KeyRules rules) {
    keys_.push_back({{std::move(name), type, std::move(rules)}, std::move(assign)});
    return *this;
  }

  // A rule across keys, run on the settings read: each problem one line naming its keys (and,
  // from `values`, where they came from). Never put a secret's value in a problem.
  using Check =
      std::function<void(const Settings&, const ConfigValues&, std::vector<std::string>&)>;
  SettingsSchema& check(Check rule) {
    checks_.push_back(std::move(rule));
    return *this;
  }

  std::vector<KeySpec> keys() const {
    std::vector<KeySpec> out;
    for (const auto& k : keys_) out.push_back(k.spec);
    return out;
  }

  // The settings from `values`; a value `assign` refuses is added to `problems` (when given).
  Settings read(const ConfigValues& values, std::vector<std::string>* problems = nullptr) const {
    Settings settings{};
    for (const auto& k : keys_) {
      try {
        k.assign(settings, values.value(k.spec.key));
      } catch (const std::invalid_argument& e) {
        if (problems != nullptr) {
          problems->push_back(k.spec.key + " (from " + values.source(k.spec.key) +
                              "): " + e.what());
        }
      } catch (const ConfigurationError& e) {
        if (problems != nullptr)
          problems->insert(problems->end(), e.errors().begin(), e.errors().end());
      }
    }
    return settings;
  }

  // Every problem of this slice's values: refused values and broken rules.
  std::vector<std::string> problems(const ConfigValues& values) const {
    std::vector<std::string> found;
    const auto settings = read(values, &found);
    for (const auto& rule : checks_) rule(settings, values, found);
    return found;
  }

 private:
  struct Key {
    KeySpec spec;
    std::function<void(Settings&, const ConfigValue&)> assign;
  };
  std::vector<Key> keys_;
  std::vector<Check> checks_;
};

}  // namespace netra::core
