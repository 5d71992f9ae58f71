// /mcp: the Model Context Protocol server, over the Streamable HTTP transport (MCP 2025-11-25,
// also 2025-06-18 and 2025-03-26). POST /mcp takes one JSON-RPC message: a request is answered
// with JSON (200), or with an event stream for a long tool call (progress, then the result); a
// notification or a response is taken with 202. DELETE /mcp ends a session. GET /mcp would open a
// stream for messages the server starts; this server starts none, so GET is 405, as the transport
// allows. Every call authenticates with a bearer token: a signed-in user's access token, or an
// API key with the `agent` scope; a tool then reaches what its REST route would (mcp_tools.hpp).
#pragma once

#include <memory>

#include "api/mcp/mcp_tools.hpp"
#include "net/router.hpp"

namespace netra::auth {
class RevokedSessions;
}

namespace netra::api::mcp {

// `services` and `revoked` (where ended sessions are recorded) outlive the router.
void add_mcp_routes(net::Router& router, std::shared_ptr<const McpServices> services,
                    auth::RevokedSessions& revoked);

}  // namespace netra::api::mcp
