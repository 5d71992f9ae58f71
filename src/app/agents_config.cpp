#include "app/agents_config.hpp"

#include "net/http_url.hpp"

namespace netra::app {

agents::SupervisorOptions supervisor_options(const Config& config) {
  agents::SupervisorOptions options;
  options.max_concurrent_runs = static_cast<size_t>(config.integer("agents.max_concurrent_runs"));
  options.max_queued_runs = static_cast<size_t>(config.integer("agents.max_queued_runs"));
  options.max_runs_per_user = static_cast<size_t>(config.integer("agents.max_runs_per_user"));
  options.run_timeout = std::chrono::milliseconds(config.integer("agents.run_timeout_ms"));
  return options;
}

agents::LlmSettings llm_settings(const Config& config) {
  agents::LlmSettings s;
  s.url = config.string("agents.llm.url");
  s.model = config.string("agents.llm.model");
  s.api_key = config.string("agents.llm.api_key");
  s.timeout = std::chrono::milliseconds(config.integer("agents.llm.timeout_ms"));
  s.max_tokens = static_cast<int>(config.integer("agents.llm.max_tokens"));
  if (!s.enabled()) return s;
  std::vector<std::string> errors;
  if (auto url = net::parse_http_url(s.url); !url) {
    // Not the URL itself: a query there may hold a key.
    errors.push_back("agents.llm.url (from " + config.source("agents.llm.url") +
                     ") cannot be used: " + url.error());
  }
  if (s.model.empty()) {
    errors.push_back("agents.llm.model is empty (from " + config.source("agents.llm.model") +
                     "): it is required when agents.llm.url is set");
  }
  if (!errors.empty()) throw ConfigError(errors);
  return s;
}

}  // namespace netra::app
