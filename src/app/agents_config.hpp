// The `agents.*` configuration keys as the agent supervisor's settings.
#pragma once

#include "agents/supervisor.hpp"
#include "app/config.hpp"

namespace netra::app {

agents::SupervisorOptions supervisor_options(const Config& config);

}  // namespace netra::app
