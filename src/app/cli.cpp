#include "app/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "analytics/model_catalog.hpp"
#include "app/config.hpp"
#include "app/demo_data_command.hpp"
#include "app/graph_export.hpp"
#include "app/migrate_command.hpp"
#include "app/serve.hpp"
#include "auth/key_store.hpp"
#include "core/build_info.hpp"
#include "core/component_graph.hpp"
#include "telemetry/logging.hpp"

namespace netra::app {
namespace {

struct CommonFlags {
  std::string config_file;
  std::string profile;
  std::string disable;
  std::string log_format;
  std::vector<std::string> sets;  // key=value
};

ConfigInputs inputs_from(const CommonFlags& flags, const ComponentCatalog& catalog) {
  ConfigInputs inputs;
  if (!flags.config_file.empty()) inputs.file = flags.config_file;
  inputs.environment = process_environment();
  inputs.component_names = names_of(catalog);
  for (const auto& set : flags.sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos) throw ConfigError({"--set " + set + ": expected KEY=VALUE"});
    inputs.flags.push_back({set.substr(0, eq), set.substr(eq + 1), "--set " + set.substr(0, eq)});
  }
  if (!flags.profile.empty()) inputs.flags.push_back({"profile", flags.profile, "--profile"});
  if (!flags.disable.empty()) inputs.flags.push_back({"disabled", flags.disable, "--disable"});
  if (!flags.log_format.empty())
    inputs.flags.push_back({"log.format", flags.log_format, "--log-format"});
  return inputs;
}

void print_errors(const std::string& what, const std::vector<std::string>& errors) {
  std::cerr << "netra: " << what << ":\n";
  for (const auto& e : errors) std::cerr << "  " << e << "\n";
}

// Moves the signing key into retired/ and creates a new one (see auth::rotate_signing_key).
int run_rotate_key(const Config& config) {
  const auto& auth = config.settings().auth;
  if (auth.keys.algorithm == auth::KeyAlgorithm::hs256) {
    std::cerr << "netra: auth.algorithm is HS256; rotate auth.shared_secret in configuration\n";
    return kExitConfigError;
  }
  // A retired key is kept as long as a token it signed can live.
  const auto keep = auth.settings.refresh_ttl;
  try {
    const auto rotation = auth::rotate_signing_key(auth.keys.folder, auth.keys.algorithm, keep);
    if (!rotation.retired_kid.empty()) {
      std::cout << "retired key " << rotation.retired_kid << " (still accepted and published)\n";
    }
    std::cout << "signing key " << rotation.new_kid << "\n";
    for (const auto& kid : rotation.removed) {
      std::cout << "removed key " << kid << " (older than auth.refresh_ttl_seconds)\n";
    }
    std::cout << "restart the services that sign tokens to sign with the new key\n";
  } catch (const std::exception& e) {
    std::cerr << "netra: " << e.what() << "\n";
    return kExitStartupFailed;
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv, const ServiceDefinition& backend,
            const ServiceDefinition& auth_service) {
  CLI::App app{"netra: the backend of the Netra AI-spend optimization platform"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  CommonFlags flags;
  app.add_option("--config", flags.config_file, "TOML configuration file")
      ->check(CLI::ExistingFile);
  app.add_option("--profile", flags.profile, "full | minimal");
  app.add_option("--disable", flags.disable, "components not to start: NAME[,NAME]");
  app.add_option("--log-format", flags.log_format, "auto | text | json");
  app.add_option("--set", flags.sets, "override any key: section.key=value (repeatable)");

  auto* serve_cmd = app.add_subcommand("serve", "run the service (the default)");
  auto* check_cmd = app.add_subcommand(
      "check", "validate configuration and the component graph, print the start plan");
  auto* graph_cmd = app.add_subcommand("graph", "print the component graph");
  std::string graph_format = "dot";
  graph_cmd->add_option("--format", graph_format, "dot | mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));
  auto* version_cmd = app.add_subcommand("version", "print the version");
  auto* auth_cmd = app.add_subcommand(
      "auth", "run the auth service alone (accounts, tokens, JWKS) on auth.port");
  auto* rotate_cmd = app.add_subcommand(
      "rotate-key", "retire the token signing key (still accepted) and create a new one");
  auto* migrate_cmd = app.add_subcommand("migrate", "apply pending database migrations and exit");
  bool migrate_status = false;
  migrate_cmd->add_flag("--status", migrate_status, "list applied and pending migrations instead");

  auto* demo_cmd = app.add_subcommand(
      "demo-data", "create or reuse an account and write synthetic workload events for it");
  DemoDataOptions demo;
  demo_cmd->add_option("--email", demo.email, "the account's email")->required();
  demo_cmd->add_option("--days", demo.days, "spread the events over this many days up to now")
      ->check(CLI::Range(1, 3650));
  demo_cmd->add_option("--events", demo.events, "how many events")
      ->check(CLI::Range(1, 10'000'000));
  demo_cmd->add_option("--seed", demo.seed, "the same seed writes the same events");
  demo_cmd->add_option("--template", demo.template_id,
                       "the workloads to write: demo (default), customer-support-chatbot, "
                       "enterprise-search or coding-assistant");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitConfigError;
  }

  if (version_cmd->parsed()) {
    std::cout << fmt::format("netra {} (commit {})\n", core::kVersion, core::kCommit);
    return kExitOk;
  }

  const ServiceDefinition& service = auth_cmd->parsed() ? auth_service : backend;
  const auto& catalog = service.catalog;
  std::optional<Config> config;
  try {
    config = Config::load(inputs_from(flags, catalog));
  } catch (const ConfigError& e) {
    print_errors("configuration error", e.errors());
    return kExitConfigError;
  }
  const auto& process = config->settings().process;
  telemetry::init_logging(telemetry::resolve_log_format(process.log_format), process.log_level);
  // Every command prices with the same catalog: the one compiled in, or agents.catalog_file.
  if (const auto& file = config->settings().supervisor.catalog_file; !file.empty()) {
    auto catalog = analytics::read_catalog_file(file);
    if (!catalog) {
      print_errors("configuration error",
                   {"agents.catalog_file (from " + config->source("agents.catalog_file") +
                    ") cannot be used: " + catalog.error()});
      return kExitConfigError;
    }
    analytics::install_catalog(catalog.value());
  }

  try {
    if (check_cmd->parsed() || graph_cmd->parsed()) {
      const auto graph =
          core::ComponentGraph::build(specs_for(catalog, *config), config->profile());
      validate_components(catalog, *config);
      if (check_cmd->parsed()) {
        auto settings_of = [&](size_t i) { return settings_for(catalog[i], *config); };
        std::cout << start_plan(graph, *config, settings_of) << "configuration ok\n";
      } else {
        std::cout << (graph_format == "mermaid" ? to_mermaid(graph) : to_dot(graph));
      }
      return kExitOk;
    }
    if (migrate_cmd->parsed()) return run_migrate(*config, migrate_status);
    if (rotate_cmd->parsed()) return run_rotate_key(*config);
    if (demo_cmd->parsed()) return run_demo_data(*config, demo);
    (void)serve_cmd;
    return serve(*config, service);
  } catch (const core::GraphError& e) {
    print_errors("component graph error", e.errors());
    return kExitConfigError;
  } catch (const core::ConfigurationError& e) {
    print_errors("configuration error", e.errors());
    return kExitConfigError;
  }
}

}  // namespace netra::app
