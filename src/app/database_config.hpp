// The `database.*` configuration keys as the database layer's settings.
#pragma once

#include "app/config.hpp"
#include "db/database_settings.hpp"

namespace netra::app {

db::DatabaseSettings database_settings(const Config& config);

}  // namespace netra::app
