#include "app/config_schema.hpp"

namespace netra::app {

const std::vector<KeySpec>& service_keys() {
  static const std::vector<KeySpec> keys = {
      {"profile",
       ValueType::string,
       "\"full\"",
       0,
       0,
       {"full", "minimal"},
       "which components start: full = all, minimal = critical ones and what they require"},
      {"disabled",
       ValueType::string_list,
       "[]",
       0,
       0,
       {},
       "components not to start (also DISABLED_COMPONENTS=a,b and --disable a,b)"},
      {"server.host",
       ValueType::string,
       "\"0.0.0.0\"",
       0,
       0,
       {},
       "address the HTTP listener binds"},
      {"server.port", ValueType::integer, "8000", 0, 65535, {}, "port the HTTP listener binds"},
      {"server.threads",
       ValueType::integer,
       "0",
       0,
       256,
       {},
       "event-loop threads; 0 = one per core"},
      {"startup.deadline_ms",
       ValueType::integer,
       "60000",
       1,
       3600000,
       {},
       "the whole start-up may not take longer; what is still pending is treated by criticality"},
      {"watchdog.threshold_ms",
       ValueType::integer,
       "250",
       10,
       60000,
       {},
       "an event loop that does not turn for this long is logged with what ran on it"},
      {"offload.threads",
       ValueType::integer,
       "4",
       1,
       256,
       {},
       "threads for blocking calls (SQLite, password hashing), never run on an event loop"},
      {"log.format",
       ValueType::string,
       "\"auto\"",
       0,
       0,
       {"auto", "text", "json"},
       "auto = readable text on a terminal, JSON lines otherwise"},
      {"log.level",
       ValueType::string,
       "\"info\"",
       0,
       0,
       {"trace", "debug", "info", "warn", "error"},
       "least severe level that is logged"},
  };
  return keys;
}

const std::vector<KeySpec>& component_keys() {
  static const std::vector<KeySpec> keys = {
      {"start_timeout_ms",
       ValueType::integer,
       "",
       1,
       3600000,
       {},
       "one start attempt may take this long (waiting for dependencies is not counted)"},
      {"stop_timeout_ms",
       ValueType::integer,
       "",
       1,
       3600000,
       {},
       "a stop may take this long before it is abandoned"},
      {"retries",
       ValueType::integer,
       "",
       0,
       1000,
       {},
       "start attempts after the first one before the component is failed or degraded"},
      {"backoff_base_ms",
       ValueType::integer,
       "",
       0,
       3600000,
       {},
       "backoff before retry n is uniform(0, min(cap, base * 2^n))"},
      {"backoff_cap_ms",
       ValueType::integer,
       "",
       0,
       3600000,
       {},
       "the largest backoff between two attempts"},
  };
  return keys;
}

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::integer:
      return "an integer";
    case ValueType::boolean:
      return "a boolean";
    case ValueType::string:
      return "a string";
    case ValueType::string_list:
      return "a list of strings";
  }
  return "a value";
}

}  // namespace netra::app
