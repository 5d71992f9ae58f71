// The configuration schema: the slices every layer declares beside its typed settings, composed
// into the one schema that validates a file, the environment and the flags together (app/config),
// and read back into those typed settings. `config/netra.example.toml` is checked against it key
// by key (tests/app/example_config_test.cpp).
#pragma once

#include <string>
#include <vector>

#include "agents/chat_completions_client.hpp"
#include "agents/supervisor.hpp"
#include "analytics/analytics_component.hpp"
#include "analytics/ingest_gate.hpp"
#include "api/api_settings.hpp"
#include "app/process_settings.hpp"
#include "auth/auth_config.hpp"
#include "core/settings_schema.hpp"
#include "db/database_settings.hpp"
#include "net/server_settings.hpp"
#include "net/websocket_server.hpp"
#include "redis/redis_settings.hpp"
#include "tasks/tasks_settings.hpp"
#include "telemetry/monitoring_settings.hpp"
#include "telemetry/tracing_settings.hpp"

namespace netra::app {

// Every layer's settings, as this configuration fills them.
struct ServiceSettings {
  ProcessSettings process;
  net::ServerSettings server;
  net::WebSocketSettings websocket;
  api::ApiSettings api;
  db::DatabaseSettings database;
  redis::RedisSettings redis;
  auth::AuthConfig auth;
  analytics::AnalyticsSettings analytics;
  analytics::IngestLimits ingest;
  agents::SupervisorOptions supervisor;
  agents::LlmSettings llm;
  tasks::TaskSettings tasks;
  telemetry::TracingSettings tracing;
  telemetry::MonitoringSettings monitoring;
};

// Keys with one value for the whole service: every slice's, each name once.
const std::vector<core::KeySpec>& service_keys();

// Keys under `components.<name>.`, for every component the service knows. Their defaults depend
// on the component's criticality (see core::ComponentSettings::defaults_for).
const std::vector<core::KeySpec>& component_keys();

// Every slice read from `values`. A value a slice refuses to read (a trusted proxy that is no
// address) is added to `problems`; the slices' checks across keys are not run here but by the
// catalog entry of the component the slice belongs to.
// `oidc_providers`: the names of the OpenID providers the configuration has keys for.
ServiceSettings read_settings(const core::ConfigValues& values, std::vector<std::string>& problems,
                              const std::vector<std::string>& oidc_providers = {});

}  // namespace netra::app
