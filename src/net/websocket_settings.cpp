#include "net/websocket_server.hpp"

namespace netra::net {

const core::SettingsSchema<WebSocketSettings>& websocket_settings_schema() {
  static const auto schema = [] {
    core::SettingsSchema<WebSocketSettings> s;
    s.key("websocket.max_connections", &WebSocketSettings::max_connections,
          {.fallback = "10000",
           .min = 1,
           .max = 1000000,
           .help = "open sockets on this instance; beyond, a socket gets TOO_MANY_CONNECTIONS and "
                   "close 1013"})
        .key("websocket.max_connections_per_user", &WebSocketSettings::max_connections_per_user,
             {.fallback = "10",
              .min = 1,
              .max = 1000000,
              .help = "open sockets per user on this instance; beyond, TOO_MANY_CONNECTIONS and "
                      "close 1008"})
        .key("websocket.ping_interval_ms", &WebSocketSettings::ping_interval,
             {.fallback = "20000",
              .min = 100,
              .max = 600000,
              .help = "a protocol ping this often; nothing from the client for as long again "
                      "closes the socket"})
        .key("websocket.max_message_bytes", &WebSocketSettings::max_message_bytes,
             {.fallback = "65536",
              .min = 1024,
              .max = 16777216,
              .help = "a client message over this closes the socket with 1009"})
        .key("websocket.max_queued_bytes", &WebSocketSettings::max_queued_bytes,
             {.fallback = "1048576",
              .min = 1024,
              .max = 1073741824,
              .help = "unsent bytes one socket may hold; a client that reads slower is closed with "
                      "1013"})
        .key("websocket.messages_per_second", &WebSocketSettings::messages_per_second,
             {.fallback = "20",
              .min = 1,
              .max = 1000000,
              .help =
                  "client messages per second per socket, on average; over it, error RATE_LIMITED"})
        .key("websocket.message_burst", &WebSocketSettings::message_burst,
             {.fallback = "40",
              .min = 1,
              .max = 1000000,
              .help = "client messages a socket may send at once before the rate applies"});
    return s;
  }();
  return schema;
}

}  // namespace netra::net
