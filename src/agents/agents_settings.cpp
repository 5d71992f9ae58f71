// The agents layer's configuration keys: the supervisor's limits and the optional language model
// that phrases report summaries.
#include "agents/chat_completions_client.hpp"
#include "agents/supervisor.hpp"
#include "net/http_url.hpp"

namespace netra::agents {

const core::SettingsSchema<SupervisorOptions>& supervisor_options_schema() {
  static const auto schema = [] {
    core::SettingsSchema<SupervisorOptions> s;
    s.key("agents.max_concurrent_runs", &SupervisorOptions::max_concurrent_runs,
          {.fallback = "8",
           .min = 1,
           .max = 10000,
           .help = "agent runs executing at once on this instance; more wait in the queue"})
        .key("agents.max_queued_runs", &SupervisorOptions::max_queued_runs,
             {.fallback = "32",
              .min = 0,
              .max = 100000,
              .help = "agent runs waiting for a slot; beyond, a new run fails at once with "
                      "agent_error BUSY"})
        .key("agents.max_runs_per_user", &SupervisorOptions::max_runs_per_user,
             {.fallback = "4",
              .min = 1,
              .max = 100000,
              .help = "agent runs of one user running or waiting at once on this instance; beyond, "
                      "the user's new run fails with agent_error TOO_MANY_RUNS (429 over REST), so "
                      "one user cannot take every slot"})
        .key("agents.run_timeout_ms", &SupervisorOptions::run_timeout,
             {.fallback = "120000",
              .min = 1000,
              .max = 3600000,
              .help = "one agent run may take this long from its start; then it fails with "
                      "agent_error TIMEOUT"})
        .key("agents.catalog_file", &SupervisorOptions::catalog_file,
             {.fallback = "\"\"",
              .help = "empty: the model catalog compiled in (list prices with the date each was "
                      "checked); else a JSON file shaped like src/analytics/model_catalog.json "
                      "that replaces it; administrators' entries (PUT /api/catalog/models/{id}) "
                      "are laid over either"});
    return s;
  }();
  return schema;
}

const core::SettingsSchema<LlmSettings>& llm_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<LlmSettings> s;
    s.key("agents.llm.url", &LlmSettings::url,
          {.fallback = "\"\"",
           .help =
               "empty: reports keep their computed summary; else an OpenAI-compatible API's base "
               "URL with its version (http://127.0.0.1:11434/v1), posted to {url}/chat/completions "
               "to phrase each report's summary from its figures; https:// servers must present a "
               "certificate from an authority the system trusts (or the file SSL_CERT_FILE names)"})
        .key("agents.llm.model", &LlmSettings::model,
             {.fallback = "\"\"",
              .help = "the model that phrases the summaries (required with agents.llm.url); the "
                      "report names it"})
        .key("agents.llm.api_key", &LlmSettings::api_key,
             {.fallback = "\"\"",
              .help = "the API key (set it with NETRA_AGENTS_LLM_API_KEY, never in a file); sent "
                      "as Authorization: Bearer, never logged; empty: no Authorization header"})
        .key("agents.llm.timeout_ms", &LlmSettings::timeout,
             {.fallback = "10000",
              .min = 1,
              .max = 600000,
              .help = "one summary call may take this long; past it, or on any error, the report "
                      "keeps its computed summary and the run still completes"})
        .key("agents.llm.max_tokens", &LlmSettings::max_tokens,
             {.fallback = "400",
              .min = 16,
              .max = 8192,
              .help = "the most tokens the model may write for a summary; a reply cut there is not "
                      "used"});
    s.check([](const LlmSettings& settings, const core::ConfigValues& values,
               std::vector<std::string>& problems) {
      if (!settings.enabled()) return;
      if (auto url = net::parse_http_url(settings.url); !url) {
        problems.push_back("agents.llm.url (from " + values.source("agents.llm.url") +
                           ") cannot be used: " + url.error());
      }
      if (settings.model.empty()) {
        problems.push_back("agents.llm.model is empty (from " + values.source("agents.llm.model") +
                           "): it is required when agents.llm.url is set");
      }
    });
    return s;
  }();
  return schema;
}

}  // namespace netra::agents
