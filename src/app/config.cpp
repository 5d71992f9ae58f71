#include "app/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "app/config_schema.hpp"
#include "auth/auth_config.hpp"
#include "core/did_you_mean.hpp"

extern char** environ;

namespace netra::app {
namespace {

using core::ConfigValue;
using core::KeySpec;
using core::ValueType;

std::string env_name(const std::string& key) {
  std::string name = "NETRA_";
  for (char c : key) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  }
  return name;
}

std::string describe(const ConfigValue& v) {
  struct {
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::ostringstream out;
      out << d;
      return out.str();
    }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "[";
      for (const auto& s : l) out += (out.size() > 1 ? ", \"" : "\"") + s + "\"";
      return out + "]";
    }
  } visitor;
  return std::visit(visitor, v);
}

// Parses the text of an environment variable or flag.
std::optional<ConfigValue> parse_text(const KeySpec& spec, std::string_view text) {
  switch (spec.type) {
    case ValueType::integer: {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
      return value;
    }
    case ValueType::number: {
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
          !std::isfinite(value))
        return std::nullopt;
      return value;
    }
    case ValueType::boolean: {
      std::string lower(text);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
      if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
      return std::nullopt;
    }
    case ValueType::string:
      return std::string(text);
    case ValueType::string_list: {
      std::vector<std::string> items;
      size_t start = 0;
      while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string item(text.substr(start, comma - start));
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) items.push_back(item);
        start = comma + 1;
      }
      return items;
    }
  }
  return std::nullopt;
}

std::optional<ConfigValue> from_toml(const KeySpec& spec, const toml::node& node) {
  switch (spec.type) {
    case ValueType::integer:
      if (auto v = node.value_exact<int64_t>()) return *v;
      return std::nullopt;
    case ValueType::number:
      // 1 and 1.0 alike; TOML's inf and nan are refused.
      if (auto v = node.value<double>(); v && std::isfinite(*v)) return *v;
      return std::nullopt;
    case ValueType::boolean:
      if (auto v = node.value_exact<bool>()) return *v;
      return std::nullopt;
    case ValueType::string:
      if (auto v = node.value_exact<std::string>()) return *v;
      return std::nullopt;
    case ValueType::string_list: {
      const auto* array = node.as_array();
      if (array == nullptr) return std::nullopt;
      std::vector<std::string> items;
      for (const auto& item : *array) {
        auto text = item.value_exact<std::string>();
        if (!text) return std::nullopt;
        items.push_back(*text);
      }
      return items;
    }
  }
  return std::nullopt;
}

// Range and choice checks; an empty string when the value is acceptable.
std::string check(const KeySpec& spec, const ConfigValue& value) {
  if (spec.type == ValueType::integer) {
    const auto v = std::get<int64_t>(value);
    if (v < spec.rules.min || v > spec.rules.max) {
      return "is out of range " + std::to_string(spec.rules.min) + ".." +
             std::to_string(spec.rules.max);
    }
  }
  if (spec.type == ValueType::number) {
    const auto v = std::get<double>(value);
    if (v < static_cast<double>(spec.rules.min) || v > static_cast<double>(spec.rules.max)) {
      return "is out of range " + std::to_string(spec.rules.min) + ".." +
             std::to_string(spec.rules.max);
    }
  }
  if (spec.type == ValueType::string && !spec.rules.choices.empty()) {
    const auto& v = std::get<std::string>(value);
    if (std::find(spec.rules.choices.begin(), spec.rules.choices.end(), v) ==
        spec.rules.choices.end()) {
      std::string allowed;
      for (const auto& c : spec.rules.choices) allowed += (allowed.empty() ? "" : ", ") + c;
      return "must be one of: " + allowed;
    }
  }
  return "";
}

// The OpenID providers the configuration names (auth.oidc.<name>.*) in the file, the
// environment (NETRA_AUTH_OIDC_<NAME>_<KEY>) or the flags: their keys exist only once named.
std::set<std::string> oidc_provider_names(const ConfigInputs& inputs) {
  std::set<std::string> names;
  if (inputs.file) {
    try {  // a file that does not parse is reported by Loader::load_file
      const auto table = toml::parse_file(*inputs.file);
      if (const auto* providers = table["auth"]["oidc"].as_table()) {
        for (const auto& [name, node] : *providers) {
          if (node.is_table()) names.insert(std::string(name.str()));
        }
      }
    } catch (const toml::parse_error&) {
    }
  }
  std::vector<std::string> suffixes;  // "_ISSUER", "_CLIENT_ID", ...
  for (const auto& spec : auth::oidc_provider_schema("p").keys()) {
    suffixes.push_back(env_name(spec.key).substr(env_name("auth.oidc.p").size()));
  }
  const std::string prefix = "NETRA_AUTH_OIDC_";
  for (const auto& [variable, text] : inputs.environment) {
    if (variable.rfind(prefix, 0) != 0) continue;
    for (const auto& suffix : suffixes) {
      const auto rest = variable.substr(prefix.size());
      if (rest.size() > suffix.size() && rest.ends_with(suffix)) {
        std::string name = rest.substr(0, rest.size() - suffix.size());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        names.insert(name);
      }
    }
  }
  for (const auto& flag : inputs.flags) {
    if (flag.key.rfind("auth.oidc.", 0) != 0) continue;
    const auto rest = flag.key.substr(std::string("auth.oidc.").size());
    names.insert(rest.substr(0, rest.find('.')));
  }
  return names;
}

class Loader {
 public:
  explicit Loader(const ConfigInputs& inputs) {
    declared_ = service_keys();
    for (const auto& name : oidc_provider_names(inputs)) {
      if (!auth::is_oidc_provider_name(name)) {
        errors_.push_back("auth.oidc." + name +
                          ": a provider's name is a lower-case letter, then letters or digits");
        continue;
      }
      oidc_names_.push_back(name);
      for (auto& spec : auth::oidc_provider_schema(name).keys()) declared_.push_back(spec);
    }
    for (const auto& spec : declared_) specs_[spec.key] = spec;
    for (const auto& name : inputs.component_names) {
      for (const auto& spec : component_keys()) {
        KeySpec full = spec;
        full.key = "components." + name + "." + spec.key;
        specs_[full.key] = full;
      }
    }
    for (const auto& [key, spec] : specs_) {
      key_names_.push_back(key);
      env_to_key_[env_name(key)] = key;
      env_names_.push_back(env_name(key));
    }
  }

  std::map<std::string, std::pair<ConfigValue, std::string>> load(const ConfigInputs& inputs) {
    for (const auto& spec : declared_) {
      auto parsed = toml::parse("v = " + spec.rules.fallback);
      set(spec.key, *from_toml(spec, *parsed.get("v")), "default");
    }
    if (inputs.file) load_file(*inputs.file);
    load_environment(inputs.environment);
    for (const auto& flag : inputs.flags) set_text(flag.key, flag.text, flag.name);
    if (!errors_.empty()) throw ConfigError(errors_);
    return values_;
  }

 private:
  void set(const std::string& key, ConfigValue value, const std::string& source) {
    const auto& spec = specs_.at(key);
    if (auto problem = check(spec, value); !problem.empty()) {
      errors_.push_back(key + " = " + describe(value) + " (from " + source + ") " + problem);
      return;
    }
    values_[key] = {std::move(value), source};
  }

  void set_text(const std::string& key, const std::string& text, const std::string& source) {
    auto it = specs_.find(key);
    if (it == specs_.end()) {
      errors_.push_back("unknown key '" + key + "' (from " + source + ")" +
                        core::did_you_mean(key, key_names_));
      return;
    }
    auto value = parse_text(it->second, text);
    if (!value) {
      errors_.push_back(key + " (from " + source + ") must be " +
                        std::string(to_string(it->second.type)) + ", got '" + text + "'");
      return;
    }
    set(key, std::move(*value), source);
  }

  void load_file(const std::string& path) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source();
      errors_.push_back(path + ":" + std::to_string(where.begin.line) + ":" +
                        std::to_string(where.begin.column) + ": " + std::string(e.description()));
      return;
    }
    walk(path, "", table);
  }

  void walk(const std::string& path, const std::string& prefix, const toml::table& table) {
    for (const auto& [k, node] : table) {
      const std::string key = prefix + std::string(k.str());
      const std::string where = path + ":" + std::to_string(node.source().begin.line);
      auto it = specs_.find(key);
      if (it == specs_.end()) {
        if (const auto* sub = node.as_table()) {
          walk(path, key + ".", *sub);
          continue;
        }
        errors_.push_back("unknown key '" + key + "' at " + where +
                          core::did_you_mean(key, key_names_));
        continue;
      }
      auto value = from_toml(it->second, node);
      if (!value) {
        errors_.push_back(key + " at " + where + " must be " +
                          std::string(to_string(it->second.type)));
        continue;
      }
      set(key, std::move(*value), where);
    }
  }

  void load_environment(const std::map<std::string, std::string>& environment) {
    for (const auto& [name, text] : environment) {
      if (name == "DISABLE_NON_CRITICAL") {
        KeySpec boolean;
        boolean.type = ValueType::boolean;
        auto on = parse_text(boolean, text);
        if (!on) {
          errors_.push_back("DISABLE_NON_CRITICAL must be true or false, got '" + text + "'");
        } else if (std::get<bool>(*on)) {
          set("profile", std::string("minimal"), name);
        }
      } else if (name == "DISABLED_COMPONENTS") {
        set_text("disabled", text, name);
      } else if (name.rfind("NETRA_", 0) == 0) {
        auto it = env_to_key_.find(name);
        if (it == env_to_key_.end()) {
          errors_.push_back("unknown environment variable " + name +
                            core::did_you_mean(name, env_names_));
          continue;
        }
        set_text(it->second, text, name);
      }
    }
  }

 public:
  // The names of the OpenID providers configured (valid ones only).
  const std::vector<std::string>& oidc_names() const { return oidc_names_; }

 private:
  std::vector<KeySpec> declared_;  // every key with a default: the service's and the providers'
  std::vector<std::string> oidc_names_;
  std::map<std::string, KeySpec> specs_;
  std::vector<std::string> key_names_;
  std::vector<std::string> env_names_;
  std::map<std::string, std::string> env_to_key_;
  std::map<std::string, std::pair<ConfigValue, std::string>> values_;
  std::vector<std::string> errors_;
};

}  // namespace

Config Config::load(const ConfigInputs& inputs) {
  Config config;
  Loader loader(inputs);
  for (auto& [key, value] : loader.load(inputs)) {
    config.entries_[key] = Entry{std::move(value.first), std::move(value.second)};
  }
  std::vector<std::string> problems;
  config.settings_ = read_settings(config, problems, loader.oidc_names());
  if (!problems.empty()) throw ConfigError(problems);
  return config;
}

const Config::Entry& Config::entry(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw std::out_of_range("configuration key '" + key + "' has no value");
  return it->second;
}

const core::ConfigValue& Config::value(const std::string& key) const {
  return entry(key).value;
}

std::string Config::source(const std::string& key) const {
  return entry(key).source;
}

core::ComponentSettings Config::component_settings(const std::string& name,
                                                   core::Criticality criticality) const {
  auto settings = core::ComponentSettings::defaults_for(criticality);
  auto get = [&](const char* key) -> std::optional<int64_t> {
    auto it = entries_.find("components." + name + "." + key);
    if (it == entries_.end()) return std::nullopt;
    return std::get<int64_t>(it->second.value);
  };
  using std::chrono::milliseconds;
  if (auto v = get("start_timeout_ms")) settings.start_timeout = milliseconds(*v);
  if (auto v = get("stop_timeout_ms")) settings.stop_timeout = milliseconds(*v);
  if (auto v = get("retries")) settings.retry.attempts = static_cast<int>(*v) + 1;
  if (auto v = get("backoff_base_ms")) settings.retry.base = milliseconds(*v);
  if (auto v = get("backoff_cap_ms")) settings.retry.cap = milliseconds(*v);
  return settings;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

}  // namespace netra::app
