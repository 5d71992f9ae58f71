// The `agents.*` configuration keys as the agents layer's settings: the supervisor's limits and
// the optional language model that phrases report summaries.
#pragma once

#include "agents/chat_completions_client.hpp"
#include "agents/supervisor.hpp"
#include "app/config.hpp"

namespace netra::app {

agents::SupervisorOptions supervisor_options(const Config& config);

// Off (url empty) by default. Throws ConfigError, naming the key and where its value came from,
// for a URL the HTTP client cannot use (not http(s)://, no host) or a URL without a model.
agents::LlmSettings llm_settings(const Config& config);

}  // namespace netra::app
