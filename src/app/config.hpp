// Config: the service's configuration, merged from embedded defaults, a TOML file, NETRA_*
// environment variables and flags (each overriding the one before), validated as a whole.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/config_schema.hpp"
#include "core/component_graph.hpp"
#include "core/engine.hpp"
#include "core/settings_schema.hpp"

namespace netra::app {

// Every problem found while loading, each naming the key and where its value came from.
class ConfigError : public core::ConfigurationError {
 public:
  using core::ConfigurationError::ConfigurationError;
};

struct ConfigInputs {
  std::optional<std::string> file;                 // --config
  std::map<std::string, std::string> environment;  // the process environment
  struct Flag {
    std::string key;   // dotted key it sets
    std::string text;  // the value as typed
    std::string name;  // the flag, for messages: "--profile", "--set server.port"
  };
  std::vector<Flag> flags;                   // in command-line order; a later one wins
  std::vector<std::string> component_names;  // for components.<name>.* keys
};

class Config final : public core::ConfigValues {
 public:
  // Throws ConfigError listing every unknown key, wrong type, out-of-range value and value a
  // slice refuses.
  static Config load(const ConfigInputs& inputs);

  // Every layer's typed settings: what code reads.
  const ServiceSettings& settings() const { return settings_; }

  // A key's value and where it came from: "default", "netra.toml:12", "NETRA_SERVER_PORT",
  // "--set", ... (for messages). Throw std::out_of_range for a key no slice declares.
  const core::ConfigValue& value(const std::string& key) const override;
  std::string source(const std::string& key) const override;

  // The profile after DISABLE_NON_CRITICAL, DISABLED_COMPONENTS and --disable are applied.
  core::Profile profile() const { return settings_.process.engine_profile(); }
  // The component's settings: its criticality's defaults, overridden by components.<name>.*.
  core::ComponentSettings component_settings(const std::string& name,
                                             core::Criticality criticality) const;

 private:
  struct Entry {
    core::ConfigValue value;
    std::string source;
  };
  const Entry& entry(const std::string& key) const;

  std::map<std::string, Entry> entries_;
  ServiceSettings settings_;
};

// The environment of this process as a map, for ConfigInputs.
std::map<std::string, std::string> process_environment();

}  // namespace netra::app
