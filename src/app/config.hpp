// Config: the service's configuration, merged from embedded defaults, a TOML file, NETRA_*
// environment variables and flags (each overriding the one before), validated as a whole.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/component_graph.hpp"
#include "core/engine.hpp"

namespace netra::app {

using ConfigValue = std::variant<int64_t, bool, std::string, std::vector<std::string>>;

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

class Config {
 public:
  // Throws ConfigError listing every unknown key, wrong type and out-of-range value.
  static Config load(const ConfigInputs& inputs);

  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;
  const std::vector<std::string>& list(const std::string& key) const;
  // Where the value came from: "default", "netra.toml:12", "NETRA_SERVER_PORT", "--set", ...
  std::string source(const std::string& key) const;

  // The profile after DISABLE_NON_CRITICAL, DISABLED_COMPONENTS and --disable are applied.
  core::Profile profile() const;
  // The component's settings: its criticality's defaults, overridden by components.<name>.*.
  core::ComponentSettings component_settings(const std::string& name,
                                             core::Criticality criticality) const;

 private:
  struct Entry {
    ConfigValue value;
    std::string source;
  };
  const Entry& entry(const std::string& key) const;

  std::map<std::string, Entry> entries_;
};

// The environment of this process as a map, for ConfigInputs.
std::map<std::string, std::string> process_environment();

}  // namespace netra::app
