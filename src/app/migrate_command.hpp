// `netra migrate`: applies pending migrations and exits; `--status` lists applied and pending.
#pragma once

#include "app/config.hpp"

namespace netra::app {

// Returns the exit code: 0 done, 3 the database failed (the message names the migration).
int run_migrate(const Config& config, bool status_only);

}  // namespace netra::app
