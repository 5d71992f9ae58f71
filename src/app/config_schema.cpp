#include "app/config_schema.hpp"

#include <set>
#include <stdexcept>

namespace netra::app {
namespace {

template <class Settings>
void append_keys(std::vector<core::KeySpec>& keys, const core::SettingsSchema<Settings>& slice) {
  for (auto& key : slice.keys()) keys.push_back(std::move(key));
}

}  // namespace

const std::vector<core::KeySpec>& service_keys() {
  static const std::vector<core::KeySpec> keys = [] {
    std::vector<core::KeySpec> all;
    append_keys(all, process_settings_schema());
    append_keys(all, net::server_settings_schema());
    append_keys(all, net::websocket_settings_schema());
    append_keys(all, api::api_settings_schema());
    append_keys(all, db::database_settings_schema());
    append_keys(all, redis::redis_settings_schema());
    append_keys(all, auth::auth_config_schema());
    append_keys(all, analytics::analytics_settings_schema());
    append_keys(all, analytics::ingest_limits_schema());
    append_keys(all, agents::supervisor_options_schema());
    append_keys(all, agents::llm_settings_schema());
    append_keys(all, tasks::task_settings_schema());
    append_keys(all, telemetry::tracing_settings_schema());
    append_keys(all, telemetry::monitoring_settings_schema());
    std::set<std::string> names;
    for (const auto& key : all) {
      if (!names.insert(key.key).second) {
        throw std::logic_error("configuration key " + key.key + " is declared by two slices");
      }
    }
    return all;
  }();
  return keys;
}

ServiceSettings read_settings(const core::ConfigValues& values, std::vector<std::string>& problems,
                              const std::vector<std::string>& oidc_providers) {
  ServiceSettings s;
  s.process = process_settings_schema().read(values, &problems);
  s.server = net::server_settings_schema().read(values, &problems);
  s.websocket = net::websocket_settings_schema().read(values, &problems);
  s.api = api::api_settings_schema().read(values, &problems);
  s.database = db::database_settings_schema().read(values, &problems);
  s.redis = redis::redis_settings_schema().read(values, &problems);
  s.auth = auth::auth_config_schema().read(values, &problems);
  for (const auto& name : oidc_providers) {
    auto provider = auth::oidc_provider_schema(name).read(values, &problems);
    provider.name = name;
    s.auth.oidc.push_back(std::move(provider));
  }
  s.analytics = analytics::analytics_settings_schema().read(values, &problems);
  s.ingest = analytics::ingest_limits_schema().read(values, &problems);
  s.supervisor = agents::supervisor_options_schema().read(values, &problems);
  s.llm = agents::llm_settings_schema().read(values, &problems);
  s.tasks = tasks::task_settings_schema().read(values, &problems);
  s.tracing = telemetry::tracing_settings_schema().read(values, &problems);
  s.monitoring = telemetry::monitoring_settings_schema().read(values, &problems);
  // The API's sign-in routes follow the auth layer's switch and providers.
  s.api.auth_routes.dev_login = s.auth.dev_login;
  for (const auto& provider : s.auth.oidc)
    s.api.auth_routes.oidc_providers.push_back(provider.name);
  s.api.auth_routes.return_origins = s.server.cors;
  return s;
}

const std::vector<core::KeySpec>& component_keys() {
  static const std::vector<core::KeySpec> keys = {
      {"start_timeout_ms",
       core::ValueType::integer,
       {.min = 1,
        .max = 3600000,
        .help = "one start attempt may take this long (waiting for dependencies is not counted)"}},
      {"stop_timeout_ms",
       core::ValueType::integer,
       {.min = 1, .max = 3600000, .help = "a stop may take this long before it is abandoned"}},
      {"retries",
       core::ValueType::integer,
       {.min = 0,
        .max = 1000,
        .help = "start attempts after the first one before the component is failed or degraded"}},
      {"backoff_base_ms",
       core::ValueType::integer,
       {.min = 0,
        .max = 3600000,
        .help = "backoff before retry n is uniform(0, min(cap, base * 2^n))"}},
      {"backoff_cap_ms",
       core::ValueType::integer,
       {.min = 0, .max = 3600000, .help = "the largest backoff between two attempts"}},
  };
  return keys;
}

}  // namespace netra::app
