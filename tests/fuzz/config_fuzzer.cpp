// The configuration as `netra serve` and `netra check` read it: a TOML file, then NETRA_*
// environment variables over it. An input is the file's text, then optionally a line "%%" and
// environment lines NAME=VALUE. Anything may be refused — as a ConfigurationError naming what is
// wrong — and nothing else may escape; a configuration that loads must validate and give every
// component its settings, as start-up asks.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "app/component_catalog.hpp"
#include "app/config.hpp"
#include "core/configuration_error.hpp"

namespace {

struct Scratch {
  std::string file = (std::filesystem::temp_directory_path() /
                      ("netra-config-fuzz-" + std::to_string(::getpid()) + ".toml"))
                         .string();
  netra::app::ServiceDefinition service = netra::app::production_service();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Scratch scratch;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find("\n%%\n");
  std::ofstream(scratch.file, std::ios::trunc | std::ios::binary) << input.substr(0, split);

  netra::app::ConfigInputs inputs;
  inputs.file = scratch.file;
  inputs.component_names = netra::app::names_of(scratch.service.catalog);
  if (split != std::string_view::npos) {
    auto rest = input.substr(split + 4);
    while (!rest.empty()) {
      const auto line = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
      const auto eq = line.find('=');
      if (eq != std::string_view::npos)
        inputs.environment[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  try {
    const auto config = netra::app::Config::load(inputs);
    netra::app::validate_components(scratch.service.catalog, config);
    (void)netra::app::specs_for(scratch.service.catalog, config);
    for (const auto& entry : scratch.service.catalog) (void)netra::app::settings_for(entry, config);
  } catch (const netra::core::ConfigurationError&) {
    // Refused with the reasons: what a bad configuration gets.
  }
  return 0;
}
