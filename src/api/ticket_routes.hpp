// POST /api/websocket/ticket {ttl_seconds?} → {ticket_id, expires_at, websocket_url}: a single-use
// ticket for a WebSocket handshake, for clients that cannot send an Authorization header there.
#pragma once

#include <string>

#include "net/router.hpp"

namespace netra::auth {
class TicketStore;
}

namespace netra::api {

// `public_url`: the WebSocket URL clients should use ("wss://api.example.com/ws"); empty derives
// ws://<Host>/ws from the request.
void add_ticket_routes(net::Router& router, auth::TicketStore& tickets, std::string public_url);

}  // namespace netra::api
