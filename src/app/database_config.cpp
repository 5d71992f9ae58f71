#include "app/database_config.hpp"

namespace netra::app {

db::DatabaseSettings database_settings(const Config& config) {
  using std::chrono::milliseconds;
  db::DatabaseSettings s;
  s.url = config.string("database.url");
  s.pool.max_size = static_cast<size_t>(config.integer("database.pool_max"));
  s.pool_min = static_cast<size_t>(config.integer("database.pool_min"));
  s.pool.acquire_timeout = milliseconds(config.integer("database.acquire_timeout_ms"));
  s.pool.max_lifetime = milliseconds(config.integer("database.max_lifetime_ms"));
  s.pool.idle_timeout = milliseconds(config.integer("database.idle_timeout_ms"));
  s.pool.validate_after_idle = milliseconds(config.integer("database.validate_after_ms"));
  s.pool.leak_threshold = milliseconds(config.integer("database.leak_threshold_ms"));
  s.busy_timeout = milliseconds(config.integer("database.busy_timeout_ms"));
  s.connect_timeout = milliseconds(config.integer("database.connect_timeout_ms"));
  s.statement_timeout = milliseconds(config.integer("database.statement_timeout_ms"));
  s.tls.mode = config.string("database.ssl_mode");
  s.tls.root_cert = config.string("database.ssl_root_cert");
  s.tls.cert = config.string("database.ssl_cert");
  s.tls.key = config.string("database.ssl_key");
  return s;
}

}  // namespace netra::app
